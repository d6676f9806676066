#!/usr/bin/env python3
"""Springway benchmarks against Debian's nginx on the same machine, in one run.

Usage: bench/bench.py [--quick] [--routes N] [suite ...]
Suites: throughput filters https propagation churn rss grpc status jmh (default: all). Needs wrk, nginx, h2load (Debian packages wrk,
nginx-light, nghttp2-client) and the packaged jar (./mvnw -B package -DskipTests). Prints a Markdown report and
writes it to bench/results/latest.md. See docs/benchmarks.md.
"""
import argparse
import base64
import csv
import glob
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKEND, BACKEND_2, NGINX_PROXY, GATEWAY, MANAGEMENT = 18080, 18082, 18081, 18090, 19090
NGINX_TLS, GATEWAY_TLS = 18443, 18444
HOST = "bench.local"
# a small heap that grows only as needed: what a gateway pod with a few hundred MiB runs with (and, as the image, the
# chart and provisioned proxies do, native memory freed by the JVM given back to the system). Keeping the heap tighter
# still (-XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10) saved ~6 MiB but halved gRPC throughput: full collections
# every few hundred ms under 200 concurrent streams.
JVM = ["-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=5000"]


# ---------------------------------------------------------------------------------------------- processes

class Processes:
    """Every process started by the run, stopped at the end whatever happens."""

    def __init__(self):
        self.running = []

    def start(self, args, **kwargs):
        process = subprocess.Popen(args, stdout=kwargs.pop("stdout", subprocess.DEVNULL),
                                   stderr=subprocess.STDOUT, **kwargs)
        self.running.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.remove(process)

    def stop_all(self):
        for process in list(self.running):
            self.stop(process)


PROCESSES = Processes()


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("timed out waiting for " + what)


def status(port, path, host=HOST):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# ------------------------------------------------------------------------------------------------- nginx

def nginx(name, servers, workers=1):
    """An nginx of its own (prefix in a temporary folder) with the given server blocks."""
    prefix = tempfile.mkdtemp(prefix="springway-bench-" + name + "-")
    os.makedirs(os.path.join(prefix, "logs"))
    with open(os.path.join(prefix, "nginx.conf"), "w") as conf:
        conf.write("""
worker_processes %d;
error_log logs/error.log error;
pid nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %s/body; proxy_temp_path %s/proxy;
  fastcgi_temp_path %s/fastcgi; uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;
  keepalive_requests 1000000;
%s
}
""" % (workers, prefix, prefix, prefix, prefix, prefix, servers))
    process = PROCESSES.start(["nginx", "-p", prefix, "-c", "nginx.conf", "-g", "daemon off;"])
    return process


def backends():
    """The backend every proxy forwards to: nginx answering a small body, on two ports (for endpoint churn)."""
    blocks = "".join("""
  server {
    listen 127.0.0.1:%d;
    location / { default_type text/plain; return 200 "ok\\n"; }
  }""" % port for port in (BACKEND, BACKEND_2))
    process = nginx("backend", blocks)
    wait_for(lambda: status(BACKEND, "/") == 200, 10, "the nginx backend")
    return process


def nginx_proxy(routes):
    """nginx as the reference reverse proxy: one prefix location per route, keep-alive connections upstream."""
    locations = "".join("    location /r%d/ { proxy_pass http://backend; }\n" % i for i in range(routes))
    process = nginx("proxy", """
  upstream backend { server 127.0.0.1:%d; keepalive 64; }
  server {
    listen 127.0.0.1:%d;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
%s  }""" % (BACKEND, NGINX_PROXY, locations), workers=2)
    wait_for(lambda: status(NGINX_PROXY, "/r%d/x" % (routes - 1)) == 200, 60, "nginx as a proxy")
    return process


def nginx_headers_proxy():
    """nginx doing what a rule with request and response header modifiers does: set and add request headers, add a
    response header."""
    process = nginx("headers", """
  upstream backend { server 127.0.0.1:%d; keepalive 64; }
  server {
    listen 127.0.0.1:%d;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    location /r0/ {
      # proxy_set_header in a location replaces the server's: keep-alive upstream and Host are set again
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Bench-Set set;
      proxy_set_header X-Bench-Add added;
      add_header X-Bench-Response yes;
      proxy_pass http://backend;
    }
  }""" % (BACKEND, NGINX_PROXY), workers=2)
    wait_for(lambda: status(NGINX_PROXY, "/r0/x") == 200, 60, "nginx with header modifiers")
    return process


# --------------------------------------------------------------------------------------------- springway

def jar():
    jars = [j for j in glob.glob(os.path.join(ROOT, "target", "springway-*.jar")) if not j.endswith("-plain.jar")]
    if not jars:
        raise SystemExit("no target/springway-*.jar: run ./mvnw -B package -DskipTests first")
    return jars[0]


def manifests_base(endpoint_port=BACKEND, grpc_port=None):
    yaml = """apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: springway}
spec: {controllerName: springway.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: springway
  addresses: [{value: 127.0.0.1}]
  listeners:
  - {name: http, protocol: HTTP, port: %d}
---
""" % GATEWAY
    yaml += service("backend", endpoint_port)
    if grpc_port:
        yaml += service("grpc", grpc_port, app_protocol="kubernetes.io/h2c")
    return yaml


def service(name, port, app_protocol=None):
    protocol = ", appProtocol: %s" % app_protocol if app_protocol else ""
    return """apiVersion: v1
kind: Service
metadata: {name: %s, namespace: default}
spec:
  ports: [{name: http, port: 8080%s}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: %s-1
  namespace: default
  labels: {kubernetes.io/service-name: %s}
addressType: IPv4
ports: [{name: http, port: %d}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
---
""" % (name, protocol, name, name, port)


# A rule's request and response header modifiers (the Gateway API's own first example of a filter).
HEADER_FILTERS = """    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Bench-Set, value: set}]
        add: [{name: X-Bench-Add, value: added}]
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        add: [{name: X-Bench-Response, value: "yes"}]
"""


def route(i, prefix="r", filters=""):
    return """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: %s%d, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [%s]
  rules:
  - matches: [{path: {type: PathPrefix, value: /%s%d}}]
%s    backendRefs: [{name: backend, port: 8080}]
---
""" % (prefix, i, HOST, prefix, i, filters)


def write_atomically(folder, name, text):
    """As a ConfigMap update or an editor's save appears: whole, at once."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(folder), suffix=".tmp")
    with os.fdopen(fd, "w") as file:
        file.write(text)
    os.replace(temporary, os.path.join(folder, name))


def springway(folder, *properties):
    process = PROCESSES.start([os.environ.get("BENCH_JAVA", "java")] + JVM + ["-jar", jar(), "--springway.file.directory=" + folder,
                                                "--management.server.port=%d" % MANAGEMENT,
                                                "--logging.level.root=WARN"] + list(properties),
                              # as the image and the Helm chart run it: fewer glibc malloc arenas, less native memory
                              env=dict(os.environ, MALLOC_ARENA_MAX="2"))
    wait_for(lambda: status(MANAGEMENT, "/actuator/health/readiness", "localhost") == 200, 90, "Springway ready")
    return process


def folder_with(routes):
    folder = tempfile.mkdtemp(prefix="springway-bench-config-")
    write_atomically(folder, "base.yaml", manifests_base())
    if routes:
        write_atomically(folder, "routes.yaml", "".join(route(i) for i in range(routes)))
    return folder


# ------------------------------------------------------------------------------------------------- tools

WARM_UP = 30


def wrk(port, path, seconds, connections=50, scheme="http"):
    url = "%s://127.0.0.1:%d%s" % (scheme, port, path)
    args = ["wrk", "-t2", "-c%d" % connections, "--latency", "-H", "Host: " + HOST]
    # the JVM needs half a minute of load before its JIT compilers are done (and stop taking a core)
    subprocess.run(args + ["-d%ds" % WARM_UP, url], check=True, capture_output=True)
    out = subprocess.run(args + ["-d%ds" % seconds, url], check=True, capture_output=True, text=True).stdout
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": latency(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
    }


def latency(text):
    """wrk's latency as milliseconds."""
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def h2load(port, seconds, body):
    args = ["h2load", "-c", "20", "-m", "10", "-t", "2", "-d", body, "-H", "content-type: application/grpc",
            "-H", "te: trailers", "http://127.0.0.1:%d/echo.Echo/Echo" % port]
    # both JVMs (the grpc-java backend and Springway) warm up; through Springway, HTTP/2's code paths take the JIT
    # about a minute to reach a steady rate (measured in 10 s steps: 400, 900, 1,400, 1,800, 3,000, 4,100, 4,700 calls/s)
    subprocess.run(args + ["-D", str(3 * WARM_UP)], check=True, capture_output=True)
    out = subprocess.run(args + ["-D", str(seconds)], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
    failed = re.search(r"requests: .* (\d+) failed, (\d+) errored", out)
    return {"rps": rps, "errors": int(failed.group(1)) + int(failed.group(2))}


def h2load_get(url, seconds):
    """HTTP/2 GETs over TLS (ALPN h2): 20 connections x 10 streams, as browsers multiplex."""
    args = ["h2load", "-c", "20", "-m", "10", "-t", "2", url]
    subprocess.run(args + ["-D", str(WARM_UP)], check=True, capture_output=True)
    out = subprocess.run(args + ["-D", str(seconds)], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
    failed = re.search(r"requests: .* (\d+) failed, (\d+) errored", out)
    ok = re.search(r"status codes: (\d+) 2xx", out)
    return {"rps": rps, "errors": int(failed.group(1)) + int(failed.group(2)), "2xx": int(ok.group(1)) if ok else 0}


def certificate():
    """A self-signed certificate and key for bench.local (openssl), as PEM files in a temporary folder."""
    folder = tempfile.mkdtemp(prefix="springway-bench-tls-")
    cert, key = os.path.join(folder, "tls.crt"), os.path.join(folder, "tls.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=" + HOST, "-addext", "subjectAltName=DNS:" + HOST, "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


# ------------------------------------------------------------------------------------------------ suites

def throughput(report, routes, seconds):
    report.append("## Throughput and latency (wrk, 2 threads, 50 connections, %d s per run)\n" % seconds)
    report.append("| target | requests/s | p50 ms | p99 ms | errors | vs nginx (same routes) | vs direct |")
    report.append("|---|---:|---:|---:|---:|---:|---:|")
    direct = wrk(BACKEND, "/r0/x", seconds)
    rows = [("backend direct (nginx)", direct, None)]
    for count in (1, routes):
        proxy = nginx_proxy(count)
        first_nginx = wrk(NGINX_PROXY, "/r0/x", seconds)
        last_nginx = wrk(NGINX_PROXY, "/r%d/x" % (count - 1), seconds) if count > 1 else None
        PROCESSES.stop(proxy)
        gateway = springway(folder_with(count))
        wait_for(lambda: status(GATEWAY, "/r%d/x" % (count - 1)) == 200, 60, "the last route")
        first = wrk(GATEWAY, "/r0/x", seconds)
        last = wrk(GATEWAY, "/r%d/x" % (count - 1), seconds) if count > 1 else None
        PROCESSES.stop(gateway)
        rows.append(("nginx, %d location(s), first" % count, first_nginx, None))
        rows.append(("Springway, %d route(s), first" % count, first, first_nginx))
        if last:
            rows.append(("nginx, %d locations, last" % count, last_nginx, None))
            rows.append(("Springway, %d routes, last" % count, last, last_nginx))
    for name, result, reference in rows:
        report.append(wrk_row(name, result, reference, direct))
    report.append("")


def wrk_row(name, result, reference, direct):
    """A table row of a wrk result, with its ratio to the reference (none: blank) and to the backend direct."""
    return "| %s | %.0f | %.2f | %.2f | %d | %s | %.2f× |" % (
        name, result["rps"], result["p50"], result["p99"], result["errors"],
        "%.2f×" % (result["rps"] / reference["rps"]) if reference else "", result["rps"] / direct["rps"])


def propagation(report, routes):
    folder = folder_with(0)
    gateway = springway(folder)
    connection = http.client.HTTPConnection("127.0.0.1", GATEWAY, timeout=5)
    times, unexpected = [], {}
    for i in range(routes):
        start = time.monotonic()
        write_atomically(folder, "p%d.yaml" % i, route(i, prefix="p"))
        while True:
            connection.request("GET", "/p%d/x" % i, headers={"Host": HOST})
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                break
            if response.status != 404:
                unexpected[response.status] = unexpected.get(response.status, 0) + 1
        times.append((time.monotonic() - start) * 1000)
    PROCESSES.stop(gateway)
    times_sorted = sorted(times)
    report.append("## Propagation: %d routes applied one at a time (file mode)\n" % routes)
    report.append("Time from the file being written to the first 200 through the gateway, polling with one "
                  "keep-alive connection.\n")
    report.append("| mean ms | p50 ms | p99 ms | max ms | last 100 mean ms | non-200/404 responses |")
    report.append("|---:|---:|---:|---:|---:|---:|")
    report.append("| %.1f | %.1f | %.1f | %.1f | %.1f | %s |\n" % (
        statistics.mean(times), times_sorted[len(times) // 2], times_sorted[int(len(times) * 0.99)],
        times_sorted[-1], statistics.mean(times[-100:]), unexpected or 0))


def churn(report, seconds):
    folder = folder_with(1)
    gateway = springway(folder)
    stop = threading.Event()
    changes = [0]

    def change():
        i = 0
        while not stop.is_set():
            i += 1
            # endpoints move between two backends, and a set of other routes comes and goes
            write_atomically(folder, "base.yaml", manifests_base(BACKEND if i % 2 else BACKEND_2))
            write_atomically(folder, "churn.yaml", "".join(route(n, prefix="c%d-" % i) for n in range(i % 20)))
            changes[0] += 1
            time.sleep(0.05)

    changer = threading.Thread(target=change)
    changer.start()
    try:
        result = wrk(GATEWAY, "/r0/x", seconds)
    finally:
        stop.set()
        changer.join()
    PROCESSES.stop(gateway)
    report.append("## Requests during continuous churn\n")
    report.append("wrk on one route for %d s while every 50 ms the Service's endpoints move to the other backend "
                  "and 0–19 other routes are replaced (%d changes).\n" % (seconds, changes[0]))
    report.append("| requests/s | p99 ms | failed requests |")
    report.append("|---:|---:|---:|")
    report.append("| %.0f | %.2f | %d |\n" % (result["rps"], result["p99"], result["errors"]))


def rss(report, routes, seconds):
    gateway = springway(folder_with(routes))
    wait_for(lambda: status(GATEWAY, "/r%d/x" % (routes - 1)) == 200, 60, "the last route")
    wrk(GATEWAY, "/r%d/x" % (routes // 2), seconds)
    with open("/proc/%d/status" % gateway.pid) as proc:
        kib = int(re.search(r"VmRSS:\s+(\d+) kB", proc.read()).group(1))
    with open("/proc/%d/maps" % gateway.pid) as maps:
        epoll = "netty_transport_native_epoll" in maps.read()
    PROCESSES.stop(gateway)
    report.append("## Memory\n")
    report.append("| routes | RSS after load | JVM options (and `MALLOC_ARENA_MAX=2`) | native epoll loaded |")
    report.append("|---:|---:|---|---|")
    report.append("| %d | %.0f MiB | `%s` | %s |\n" % (routes, kib / 1024, " ".join(JVM), "yes" if epoll else "no"))


def test_classpath():
    """Compiled main and test classes with every test dependency (gRPC, JMH), as Maven resolves them."""
    listing = os.path.join(tempfile.mkdtemp(prefix="springway-bench-cp-"), "classpath.txt")
    subprocess.run([os.path.join(ROOT, "mvnw"), "-q", "-B", "test-compile", "dependency:build-classpath",
                    "-Dmdep.includeScope=test", "-Dmdep.outputFile=" + listing], cwd=ROOT, check=True)
    with open(listing) as file:
        jars = file.read().strip()
    return ":".join([os.path.join(ROOT, "target", "test-classes"), os.path.join(ROOT, "target", "classes"), jars])


def grpc(report, seconds):
    backend = PROCESSES.start(["java", "-cp", test_classpath(), "dev.springway.grpc.GrpcBenchBackend"],
                              stdout=subprocess.PIPE, text=True)
    port = int(backend.stdout.readline().split()[1])
    body = os.path.join(tempfile.mkdtemp(prefix="springway-bench-grpc-"), "request.bin")
    message = b"hello"
    with open(body, "wb") as file:
        file.write(b"\x00" + len(message).to_bytes(4, "big") + message)
    folder = tempfile.mkdtemp(prefix="springway-bench-config-")
    write_atomically(folder, "base.yaml", manifests_base(grpc_port=port) + """apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: grpc, port: 8080}]
""")
    direct = h2load(port, seconds, body)
    gateway = springway(folder)
    through = h2load(GATEWAY, seconds, body)
    PROCESSES.stop(gateway)
    PROCESSES.stop(backend)
    report.append("## gRPC unary calls (h2load, 20 connections × 10 streams, %d s)\n" % seconds)
    report.append("Real gRPC calls (`echo.Echo/Echo`, a grpc-java server) over h2c.\n")
    report.append("| target | calls/s | failed | vs direct |")
    report.append("|---|---:|---:|---:|")
    report.append("| grpc-java server direct | %.0f | %d | |" % (direct["rps"], direct["errors"]))
    report.append("| through Springway | %.0f | %d | %.2f× |\n" % (through["rps"], through["errors"],
                                                                   through["rps"] / direct["rps"]))


def jmh(report, quick):
    results = os.path.join(tempfile.mkdtemp(prefix="springway-bench-jmh-"), "jmh.csv")
    options = ["-wi", "1", "-i", "2", "-w", "1s", "-r", "1s"] if quick else []
    subprocess.run(["java", "-cp", test_classpath(), "org.openjdk.jmh.Main", "dev.springway.bench.",
                    "-rf", "csv", "-rff", results] + options, check=True, stdout=subprocess.DEVNULL)
    report.append("## Micro-benchmarks (JMH, `src/test/java/dev/springway/bench`)\n")
    report.append("| benchmark | routes | score | error (99.9%) | unit |")
    report.append("|---|---:|---:|---:|---|")
    with open(results) as file:
        for row in list(csv.reader(file))[1:]:
            report.append("| %s | %s | %.3f | %s | %s |" % (row[0].rsplit(".", 2)[-2] + "." + row[0].rsplit(".", 1)[-1],
                                                         row[7], float(row[4]), row[5], row[6]))
    report.append("")


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    memory = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1)) // 1024 // 1024
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    nginx_version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    return "%d × %s, %d GiB, %s; %s; %s. Everything (load generator, proxies, backends) on this one machine." % (
        os.cpu_count(), cpu, memory, platform.platform(), java, nginx_version)


def filters(report, seconds):
    """One rule with request and response header modifiers: nginx doing the same, Springway, and Springway with its
    fast path off (every request through the filter chain), in one run."""
    report.append("## Header modifiers (wrk, 2 threads, 50 connections, %d s per run)\n" % seconds)
    report.append("| target | requests/s | p50 ms | p99 ms | errors | vs nginx | vs direct |")
    report.append("|---|---:|---:|---:|---:|---:|---:|")
    direct = wrk(BACKEND, "/r0/x", seconds)
    proxy = nginx_headers_proxy()
    reference = wrk(NGINX_PROXY, "/r0/x", seconds)
    PROCESSES.stop(proxy)
    rows = [("backend direct (nginx)", direct, None), ("nginx, proxy_set_header + add_header", reference, None)]
    for name, properties in (("Springway (fast path)", []),
                             ("Springway, fast path off (filter chain)", ["--springway.proxy.fast-path=false"])):
        folder = tempfile.mkdtemp(prefix="springway-bench-config-")
        write_atomically(folder, "base.yaml", manifests_base())
        write_atomically(folder, "routes.yaml", route(0, filters=HEADER_FILTERS))
        gateway = springway(folder, *properties)
        wait_for(lambda: status(GATEWAY, "/r0/x") == 200, 60, "the route")
        rows.append((name, wrk(GATEWAY, "/r0/x", seconds), reference))
        PROCESSES.stop(gateway)
    for name, result, versus in rows:
        report.append(wrk_row(name, result, versus, direct))
    report.append("")


def https(report, seconds):
    """HTTPS with one route: HTTP/1.1 (wrk) and HTTP/2 by ALPN (h2load), nginx (listen ... ssl http2) and Springway
    (an HTTPS listener), in one run."""
    cert, key = certificate()
    proxy = nginx("tls", """
  upstream backend { server 127.0.0.1:%d; keepalive 64; }
  server {
    listen 127.0.0.1:%d ssl http2;
    ssl_certificate %s;
    ssl_certificate_key %s;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    location / { proxy_pass http://backend; }
  }""" % (BACKEND, NGINX_TLS, cert, key), workers=2)
    url = "https://127.0.0.1:%d/r0/x"
    wait_for(lambda: subprocess.run(["curl", "-ks", "-o", "/dev/null", url % NGINX_TLS]).returncode == 0, 10, "nginx TLS")
    nginx_h1 = wrk(NGINX_TLS, "/r0/x", seconds, scheme="https")
    nginx_h2 = h2load_get(url % NGINX_TLS, seconds)
    PROCESSES.stop(proxy)
    with open(cert) as c, open(key) as k:
        secret = """apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: {name: bench-tls, namespace: default}
data: {tls.crt: %s, tls.key: %s}
---
""" % (base64.b64encode(c.read().encode()).decode(), base64.b64encode(k.read().encode()).decode())
    folder = tempfile.mkdtemp(prefix="springway-bench-config-")
    write_atomically(folder, "base.yaml", manifests_base() + secret)
    # an HTTPS listener on the same Gateway; the route attaches to both and names no hostname (h2load sends the
    # address as :authority)
    write_atomically(folder, "tls.yaml", """apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw-tls, namespace: default}
spec:
  gatewayClassName: springway
  addresses: [{value: 127.0.0.1}]
  listeners:
  - {name: https, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: bench-tls}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: tls-route, namespace: default}
spec:
  parentRefs: [{name: gw-tls}]
  rules:
  - backendRefs: [{name: backend, port: 8080}]
---
""" % GATEWAY_TLS)
    gateway = springway(folder)
    wait_for(lambda: subprocess.run(["curl", "-ks", "-o", "/dev/null", "-w", "%{http_code}", url % GATEWAY_TLS],
                                    capture_output=True, text=True).stdout == "200", 60, "the HTTPS listener")
    springway_h1 = wrk(GATEWAY_TLS, "/r0/x", seconds, scheme="https")
    springway_h2 = h2load_get(url % GATEWAY_TLS, seconds)
    PROCESSES.stop(gateway)
    report.append("## HTTPS, one route (wrk for HTTP/1.1, h2load 20 connections x 10 streams for h2, %d s)\n" % seconds)
    report.append("| target | requests/s | p50 ms | p99 ms | errors | vs nginx |")
    report.append("|---|---:|---:|---:|---:|---:|")
    for name, result, versus in (("nginx, HTTP/1.1", nginx_h1, None), ("Springway, HTTP/1.1", springway_h1, nginx_h1)):
        report.append("| %s | %.0f | %.2f | %.2f | %d | %s |" % (name, result["rps"], result["p50"], result["p99"],
                      result["errors"], "%.2f×" % (result["rps"] / versus["rps"]) if versus else ""))
    for name, result, versus in (("nginx, h2", nginx_h2, None), ("Springway, h2", springway_h2, nginx_h2)):
        report.append("| %s | %.0f | | | %d (2xx: %d) | %s |" % (name, result["rps"], result["errors"], result["2xx"],
                      "%.2f×" % (result["rps"] / versus["rps"]) if versus else ""))
    report.append("")


def status_writes(report, sizes):
    """Kubernetes mode: the status of N new routes written to fabric8's mock API server (StatusWriteBenchmark)."""
    out = subprocess.run(["java", "-cp", test_classpath(), "dev.springway.bench.StatusWriteBenchmark"]
                         + [str(n) for n in sizes], check=True, capture_output=True, text=True).stdout
    report.append("## Status writes (mock API server)\n")
    report.append("| new routes | all written after |")
    report.append("|---:|---:|")
    for line in out.split("\n"):
        if re.match(r"^\d+ \d+$", line):
            routes, millis = line.split()
            report.append("| %s | %.1f s |" % (routes, int(millis) / 1000))
    report.append("")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suites", nargs="*",
                        default=["throughput", "filters", "https", "propagation", "churn", "rss", "grpc", "status",
                                 "jmh"])
    parser.add_argument("--quick", action="store_true", help="short runs and fewer routes, to try the scripts")
    parser.add_argument("--routes", type=int, default=10000, help="routes for the many-routes throughput runs")
    args = parser.parse_args()
    for tool in ("wrk", "nginx", "h2load", "java"):
        if not shutil.which(tool):
            raise SystemExit(tool + " not found: apt-get install wrk nginx-light nghttp2-client")
    seconds = 3 if args.quick else 10
    global WARM_UP
    WARM_UP = 3 if args.quick else WARM_UP
    report = ["# Springway benchmark run, %s\n" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              machine() + "\n"]
    try:
        backends()
        for suite in args.suites:
            print("running", suite, file=sys.stderr)
            if suite == "throughput":
                throughput(report, 1000 if args.quick else args.routes, seconds)
            elif suite == "filters":
                filters(report, seconds)
            elif suite == "https":
                https(report, seconds)
            elif suite == "propagation":
                propagation(report, 300 if args.quick else 3000)
            elif suite == "churn":
                churn(report, 5 if args.quick else 30)
            elif suite == "rss":
                rss(report, 500 if args.quick else 5000, seconds)
            elif suite == "grpc":
                grpc(report, seconds)
            elif suite == "status":
                status_writes(report, (100, 1000) if args.quick else (1000, 5000))
            elif suite == "jmh":
                jmh(report, args.quick)
            else:
                raise SystemExit("unknown suite " + suite)
    finally:
        PROCESSES.stop_all()
    text = "\n".join(report)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "latest.md"), "w") as file:
        file.write(text)
    print(text)


if __name__ == "__main__":
    main()
