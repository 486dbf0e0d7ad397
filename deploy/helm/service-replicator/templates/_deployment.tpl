{{/* The settings every app reads (libs/runtime/src/settings.ts), as container env. */}}
{{- define "service-replicator.commonEnv" -}}
- name: REDIS_URL
{{- if .Values.redis.existingSecret.name }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret.name }}
      key: {{ .Values.redis.existingSecret.key }}
{{- else }}
  value: {{ .Values.redis.url | quote }}
{{- end }}
{{- include "service-replicator.redisEnv" . }}
- name: QUEUE_PREFIX
  value: {{ .Values.queuePrefix | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: RESYNC_INTERVAL_SECONDS
  value: {{ .Values.resyncIntervalSeconds | quote }}
- name: HTTP_PORT
  value: {{ .Values.httpPort | quote }}
- name: OPERATOR_HTTP_PORT
  value: {{ .Values.operatorPort | quote }}
{{- with .Values.operatorHost }}
- name: OPERATOR_HTTP_HOST
  value: {{ . | quote }}
{{- end }}
{{- if .Values.tracing.enabled }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.tracing.otlpEndpoint | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ .Values.tracing.sampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .Values.tracing.samplerArg | quote }}
{{- if .Values.tracing.resourceAttributes }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ .Values.tracing.resourceAttributes | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
One app's Deployment. ctx: {root, app, values (that app's values), env (its own settings),
autoscaled (an autoscaler owns the replica count, so an upgrade must not reset it)}.
*/}}
{{- define "service-replicator.deployment" -}}
{{- $root := .root -}}
{{- $name := include "service-replicator.appName" . -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "service-replicator.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .app }}
spec:
  {{- if not .autoscaled }}
  replicas: {{ .values.replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "service-replicator.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "service-replicator.selectorLabels" . | nindent 8 }}
        {{- with .values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ $name }}
      {{- with $root.Values.image.pullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      # The writer finishes its jobs in hand on SIGTERM; the others stop at once.
      terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds | default 30 }}
      containers:
        - name: {{ .app }}
          image: "{{ $root.Values.image.repository }}:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}"
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ .app | quote }}]
          env:
            {{- include "service-replicator.commonEnv" $root | nindent 12 }}
            {{- if $root.Values.tracing.enabled }}
            - name: OTEL_SERVICE_NAME
              value: {{ .app | quote }}
            {{- end }}
            {{- with .env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
            {{- with $root.Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: http
              containerPort: {{ $root.Values.httpPort }}
            - name: operator
              containerPort: {{ $root.Values.operatorPort }}
          {{- if .values.startupProbe.enabled }}
          startupProbe:
            httpGet: { path: /health/live, port: http }
            {{- with omit .values.startupProbe "enabled" }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          livenessProbe:
            httpGet: { path: /health/live, port: http }
            periodSeconds: 10
            failureThreshold: 6
          readinessProbe:
            httpGet: { path: /health/ready, port: http }
            periodSeconds: 5
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            {{- if eq .app "config-watcher" }}
            - { name: tenants, mountPath: /etc/service-replicator, readOnly: true }
            {{- end }}
            {{- if $root.Values.redis.tls.secretName }}
            - { name: redis-tls, mountPath: {{ include "service-replicator.redisTlsDir" $root }}, readOnly: true }
            {{- end }}
      volumes:
        # The root filesystem is read-only; node and its libraries may still want a /tmp.
        - name: tmp
          emptyDir: {}
        {{- if eq .app "config-watcher" }}
        # A ConfigMap volume is updated in place: config-watcher sees tenants file edits live.
        - name: tenants
          configMap:
            name: {{ include "service-replicator.fullname" $root }}-tenants
        {{- end }}
        {{- with $root.Values.redis.tls.secretName }}
        - name: redis-tls
          secret:
            secretName: {{ . }}
        {{- end }}
      {{- with .values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.topologySpreadConstraints }}
      {{- $ownPods := dict "labelSelector" (dict "matchLabels" (include "service-replicator.selectorLabels" $ | fromYaml)) }}
      {{- $constraints := list }}
      {{- range . }}
      {{- $constraints = append $constraints (merge (dict) . $ownPods) }}
      {{- end }}
      topologySpreadConstraints:
        {{- toYaml $constraints | nindent 8 }}
      {{- end }}
{{- end }}
