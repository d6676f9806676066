{{- define "springway.name" -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "springway.labels" -}}
app.kubernetes.io/name: springway
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "springway.selector" -}}
app.kubernetes.io/name: springway
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "springway.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "springway.gracePeriod" -}}
{{- add (trimSuffix "s" .Values.shutdown.delay | int) (trimSuffix "s" .Values.shutdown.drainTimeout | int) 10 -}}
{{- end -}}
