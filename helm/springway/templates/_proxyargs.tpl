{{- /* Settings the controller hands to every proxy it provisions, as command-line arguments. */ -}}
{{- define "springway.proxyArgs" -}}
{{- $l := .Values.listeners -}}
{{- $args := list
  (printf "--springway.listeners.max-request-line=%s" $l.maxRequestLine)
  (printf "--springway.listeners.max-header-size=%s" $l.maxHeaderSize)
  (printf "--springway.listeners.max-header-count=%v" $l.maxHeaderCount)
  (printf "--springway.listeners.idle-timeout=%s" $l.idleTimeout)
  (printf "--springway.listeners.max-concurrent-streams=%v" $l.maxConcurrentStreams)
  (printf "--springway.listeners.max-connections=%v" $l.maxConnections)
  (printf "--springway.shutdown.delay=%s" .Values.shutdown.delay)
  (printf "--springway.shutdown.drain-timeout=%s" .Values.shutdown.drainTimeout)
  (printf "--spring.cloud.gateway.server.webflux.trusted-proxies=%s" .Values.trustedProxies) -}}
{{- $args = append $args (printf "--springway.filters.allowed=%s" (join "," .Values.filters.allowed)) -}}
{{- if .Values.redis.host -}}
{{- $args = append $args (printf "--spring.data.redis.host=%s" .Values.redis.host) -}}
{{- $args = append $args (printf "--spring.data.redis.port=%v" .Values.redis.port) -}}
{{- end -}}
{{- if $l.maxRequestBody -}}
{{- $args = append $args (printf "--springway.listeners.max-request-body=%s" $l.maxRequestBody) -}}
{{- end -}}
{{- join ";" $args -}}
{{- end -}}
