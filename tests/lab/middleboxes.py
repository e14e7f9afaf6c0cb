"""Real HAProxy, nginx and sshd (Debian packages) as the middleboxes and servers of a lab.

Each function writes a minimal configuration into a directory of the test's
own and starts the daemon in the foreground in a namespace, through
``Lab.start`` (so it is ended by PID with the lab). The timers are seconds
instead of the production minutes, so a test sees in seconds what a user
sees after an idle minute.
"""

from __future__ import annotations

from pathlib import Path

from tests.lab.netlab import SERVER_IP, Lab, sh


def start_haproxy(lab: Lab, workdir: Path, *, listen: str, port: int, backend: str,
                  idle_timeout_s: float) -> Path:
    """HAProxy in TCP mode on ``listen:port`` -> ``backend``, closing idle flows after N s.

    ``timeout client`` and ``timeout server`` are HAProxy's idle timers: when
    neither side sends for that long it closes both connections (FIN), as a
    cloud load balancer does at its idle timeout. Returns the config's path.
    """
    config = workdir / "haproxy.cfg"
    millis = int(idle_timeout_s * 1000)
    config.write_text(f"""\
global
    log stdout format raw local0 info
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 2s
    timeout client {millis}ms
    timeout server {millis}ms
frontend lab_front
    bind {listen}:{port}
    default_backend lab_back
backend lab_back
    server lab_server {backend}
""")
    lab.start(lab.router, "haproxy", "-db", "-f", str(config), listens_on=port)
    return config


def start_nginx(lab: Lab, workdir: Path, *, listen: str, port: int, server_block: str,
                worker_connections: int = 256, backlog: int = 511, tls: bool = False,
                main_block: str = "") -> Path:
    """nginx in the router namespace serving ``server_block``; returns its error log's path.

    The error log is at ``info`` level, where nginx reports clients that time
    out or go away -- the lines a user pastes with ``--log``. A small
    ``worker_connections`` and listen ``backlog`` make it run out of slots
    under a crowd, as an undersized production nginx does. ``tls`` makes the
    port an ``ssl`` one (the server block then names its certificate).
    ``main_block`` goes in the main context (``worker_rlimit_nofile 24;``).
    """
    error_log = workdir / "error.log"
    listen_options = " ssl" if tls else ""
    config = workdir / "nginx.conf"
    # workers run as root: the test's own directory (logs, temp files) is root's alone
    config.write_text(f"""\
user root;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {error_log} info;
{main_block}
events {{ worker_connections {worker_connections}; }}
http {{
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    server {{
        listen {listen}:{port} backlog={backlog}{listen_options};
        {server_block}
    }}
}}
""")
    lab.start(lab.router, "nginx", "-p", str(workdir), "-c", str(config), "-g", "daemon off;",
              listens_on=port)
    return error_log


def start_sshd(lab: Lab, workdir: Path, *, port: int, max_startups: str) -> None:
    """OpenSSH's sshd on the server's address, with its own host key and ``MaxStartups``.

    ``MaxStartups start:rate:full`` caps the connections that have not yet
    authenticated: past ``start`` sshd drops new ones at random, past
    ``full`` all of them, before its banner. ``/run/sshd`` is the privilege
    separation directory the Debian package makes at boot; it is made if
    missing, and left as the package would leave it.
    """
    key = workdir / "host_key"
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key))
    config = workdir / "sshd_config"
    config.write_text(f"""\
Port {port}
ListenAddress {SERVER_IP}
HostKey {key}
PidFile {workdir}/sshd.pid
UsePAM no
MaxStartups {max_startups}
LoginGraceTime 60
""")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    lab.start(lab.server, "/usr/sbin/sshd", "-D", "-e", "-f", str(config), listens_on=port)
