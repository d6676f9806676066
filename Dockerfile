# Springway image: the layered Spring Boot jar on a JRE, run as a non-root user.
# Build the jar first (./mvnw -B package -DskipTests), then: docker build -t springway/springway:0.1.0-SNAPSHOT .
FROM eclipse-temurin:17-jre AS layers
WORKDIR /build
COPY target/springway-*.jar springway.jar
# Dependencies change less often than our classes: one image layer each, so a rebuild ships only what changed.
RUN java -Djarmode=tools -jar springway.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# 65532: a fixed non-root uid, so that Kubernetes can check runAsNonRoot without reading /etc/passwd
USER 65532:65532
# Netty unpacks its native transport to java.io.tmpdir: mount a writable /tmp when the root file system is read-only.
# glibc keeps memory the JVM frees (the JIT's work areas above all) unless asked: give it back every 5 s
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:TrimNativeHeapInterval=5000 -Djava.io.tmpdir=/tmp"
# fewer glibc malloc arenas: less native memory held by Netty's and the JIT's threads
ENV MALLOC_ARENA_MAX=2
EXPOSE 8080 9090
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
