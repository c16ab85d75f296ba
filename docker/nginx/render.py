#!/usr/bin/env python3
"""Makes an nginx prefix directory that runs docker/nginx/merchantd.conf in
the foreground: render.py DIR LISTEN INSTANCE... (INSTANCE as host:port).

DIR gets nginx.conf (the process settings: no daemon, pid, logs and
temporary files under DIR) and merchantd.conf with its placeholders
filled. Run it with `nginx -p DIR -c nginx.conf`. scripts/cluster.sh,
tests/integration/test_cluster.py and tests/bench/cluster.sh use it, so
all three run the configuration that ships."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

MAIN = """# Written by docker/nginx/render.py.
daemon off;
worker_processes {workers};
pid nginx.pid;
error_log logs/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    log_format merchantd '$remote_addr|$status|$merchantd_request_id|$upstream_status|'
                         '$upstream_addr|$request_time|$request';
    access_log {access_log};
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    include merchantd.conf;
}}
"""


def render(prefix, listen, instances, workers="1", access_log=True):
    """Writes the prefix directory; returns the path of nginx.conf."""
    for sub in ("logs", "tmp"):
        os.makedirs(os.path.join(prefix, sub), exist_ok=True)
    with open(os.path.join(HERE, "merchantd.conf")) as f:
        conf = f.read()
    servers = "\n    ".join(f"server {i} max_fails=1 fail_timeout=5s;" for i in instances)
    conf = conf.replace("${MERCHANTD_LISTEN}", listen)
    conf = conf.replace("${MERCHANTD_UPSTREAM_SERVERS}", servers)
    with open(os.path.join(prefix, "merchantd.conf"), "w") as f:
        f.write(conf)
    path = os.path.join(prefix, "nginx.conf")
    with open(path, "w") as f:
        f.write(MAIN.format(workers=workers,
                            access_log="logs/access.log merchantd" if access_log else "off"))
    return path


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: render.py DIR LISTEN HOST:PORT...")
    render(sys.argv[1], sys.argv[2], sys.argv[3:],
           workers=os.environ.get("NGINX_WORKERS", "1"),
           access_log=os.environ.get("NGINX_ACCESS_LOG", "1") == "1")
