{{/* Where redis.tls.secretName is mounted (not under config-watcher's /etc/service-replicator, a ConfigMap volume). */}}
{{- define "service-replicator.redisTlsDir" -}}/var/run/secrets/service-replicator/redis-tls{{- end }}

{{/*
The Redis settings besides REDIS_URL (libs/runtime/src/settings.ts): the TLS files of the mounted
Secret, the sentinels or the cluster's nodes. A password comes only from a Secret.
*/}}
{{- define "service-replicator.redisEnv" -}}
{{- $redis := .Values.redis -}}
{{- $dir := include "service-replicator.redisTlsDir" . -}}
{{- if $redis.tls.secretName }}
{{- range $variable, $key := dict "REDIS_TLS_CA_FILE" $redis.tls.ca "REDIS_TLS_CERT_FILE" $redis.tls.clientCert "REDIS_TLS_KEY_FILE" $redis.tls.clientKey }}
{{- if $key }}
- name: {{ $variable }}
  value: {{ printf "%s/%s" $dir $key | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- if $redis.sentinel.enabled }}
- name: REDIS_SENTINELS
  value: {{ join "," $redis.sentinel.sentinels | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ $redis.sentinel.masterName | quote }}
{{- with $redis.sentinel.username }}
- name: REDIS_SENTINEL_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- with $redis.sentinel.passwordSecret.name }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $redis.sentinel.passwordSecret.key }}
{{- end }}
{{- end }}
{{- if $redis.cluster.enabled }}
- name: REDIS_CLUSTER_NODES
  value: {{ join "," $redis.cluster.nodes | quote }}
{{- end }}
{{- end }}

{{/* Redis combinations the schema cannot judge; each failure says what to change. */}}
{{- define "service-replicator.validateRedis" -}}
{{- $redis := .Values.redis -}}
{{- if and $redis.sentinel.enabled $redis.cluster.enabled -}}
{{- fail "redis: enable sentinel or cluster, not both: a Redis Cluster fails over by itself" -}}
{{- end -}}
{{- if and $redis.sentinel.enabled (not $redis.sentinel.sentinels) -}}
{{- fail "redis.sentinel.enabled: list the sentinels in redis.sentinel.sentinels (host:port)" -}}
{{- end -}}
{{- if and $redis.cluster.enabled (not $redis.cluster.nodes) -}}
{{- fail "redis.cluster.enabled: list some of the cluster's nodes in redis.cluster.nodes (host:port)" -}}
{{- end -}}
{{- if and $redis.cluster.enabled (not (regexMatch "^[^{]*\\{[^}]+\\}" .Values.queuePrefix)) -}}
{{- fail (printf "queuePrefix %q: on a Redis Cluster it must hold a hash tag, e.g. \"{%s}\", so that every key lands in one slot" .Values.queuePrefix .Values.queuePrefix) -}}
{{- end -}}
{{- if and $redis.tls.secretName (not $redis.existingSecret.name) (hasPrefix "redis://" $redis.url) -}}
{{- fail (printf "redis.tls.secretName is set but redis.url is %s: use rediss:// for TLS" (regexReplaceAll "//[^@/]*@" $redis.url "//")) -}}
{{- end -}}
{{- if ne (empty $redis.tls.clientCert) (empty $redis.tls.clientKey) -}}
{{- fail "redis.tls: clientCert and clientKey go together (a client certificate and its key)" -}}
{{- end -}}
{{- end }}
