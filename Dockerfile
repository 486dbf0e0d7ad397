# syntax=docker/dockerfile:1
# One image for the four apps; the first argument picks which one runs:
#   docker build -t service-replicator .
#   docker run service-replicator writer        (or config-watcher, host-watcher, tenant-watcher)
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: every dependency (TypeScript, Nx), compile, then lay out the runtime tree in /app with
# production dependencies only (deploy/docker/stage-runtime.sh).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The whole context at once (.dockerignore keeps it small): copying each workspace's package.json
# first would cache `npm ci` across source edits, but the list of workspaces would have to be
# kept here by hand. The npm cache mount keeps a re-run of `npm ci` quick instead.
COPY . .
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund && npm run build
RUN --mount=type=cache,target=/root/.npm \
    bash deploy/docker/stage-runtime.sh /app

# Runtime: node and the compiled apps, nothing else. The files stay owned by root and the
# process runs as the image's unprivileged `node` user, so it cannot change its own code.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
# The apps' HTTP port (/health/live, /health/ready, /metrics); HTTP_PORT changes it.
EXPOSE 8080
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["writer"]
