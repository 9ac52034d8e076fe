"""`open_session`: the paramiko implementation of the SSH session contract (`session.py`).

Host keys: paramiko's `RejectPolicy`, with only the keys govcloud's managed known_hosts trusts
for this host loaded into the client (revoked ones left out), and a policy that verifies an
unlisted key against the whole file so the refusal says why: unknown, changed (both
fingerprints) or revoked. When a `@cert-authority` line matches the host, host certificates
are asked for first and every presented key goes through that policy, which checks the
certificate (host_cert.py). The user's `~/.ssh/known_hosts` is never loaded.

Every failure becomes one `SshError` line naming the host: the sweep records it for that host
and goes on with the others.
"""

from __future__ import annotations

import contextlib
import logging
import select
import shlex
import socket
import stat
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import paramiko

from govcloud.adapters.ssh import known_hosts
from govcloud.adapters.ssh.session import CommandResult, Passphrase, SshTarget, Timeouts
from govcloud.core.errors import GovcloudError

MAX_OUTPUT = 8 * 1024 * 1024  # bytes kept per stream of one command; the rest is dropped
READ_CHUNK = 65536
POLL_S = 0.05

# asks for a key file's passphrase (the CLI prompts); None: no passphrase available
DEFAULT_TIMEOUTS = Timeouts()

# paramiko logs every failed handshake at ERROR from its thread; without a handler Python's
# last-resort handler would print those tracebacks on stderr. Our errors say it in one line
# (`-v` configures the root logger, which still receives them).
logging.getLogger("paramiko").addHandler(logging.NullHandler())


class SshError(GovcloudError):
    code = "ssh_error"


class _Verify(paramiko.MissingHostKeyPolicy):
    """RejectPolicy that says why: a key the client was not given (the managed file's trusted
    keys for this host) is checked against the whole file, and refused with the reason
    (unknown, changed, revoked) and fingerprints. Nothing is ever added or saved.

    With CERTS (a `@cert-authority` line matches the host) the client holds no key: every
    presented key comes here, and one verify() passes (a valid certificate, or a plain key
    the file lists) is accepted. paramiko hands a certificate over as its plain key with the
    certificate blob in `public_blob`; it has checked only that the server holds that key."""

    def __init__(
        self,
        entries: Sequence[known_hosts.Entry],
        name: str,
        principals: Sequence[str],
        *,
        certs: bool = False,
    ) -> None:
        self.entries, self.name, self.principals, self.certs = entries, name, principals, certs

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        cert = key.public_blob
        if cert is not None and cert.key_type.endswith(known_hosts.CERT_SUFFIX):
            key_type, blob = cert.key_type, cert.key_blob
        else:
            key_type, blob = key.get_name(), key.asbytes()
        try:
            known_hosts.verify(self.entries, self.name, key_type, blob, principals=self.principals)
        except known_hosts.HostKeyRefused as exc:
            raise _Refused(str(exc)) from None
        if self.certs:
            return
        # verify() only passes keys the client already holds, which never reach this policy
        raise _Refused(f"host key {known_hosts.fingerprint(key.asbytes())} not loaded: refused")


class _CertsFirst(paramiko.Transport):
    """A transport that asks for host certificates first, the plain key types after: OpenSSH's
    order when a CA is known for the host. paramiko lists the certificate types after all plain
    ones, so a server (which always has the plain key too) would never pick a certificate."""

    @property
    def preferred_keys(self) -> Sequence[str]:
        keys = tuple(super().preferred_keys)
        certs = tuple(k for k in keys if k.endswith(known_hosts.CERT_SUFFIX))
        return certs + tuple(k for k in keys if k not in certs)


class _Refused(paramiko.SSHException):
    pass


def _pkey(line_type: str, blob: bytes) -> paramiko.PKey:
    return paramiko.PKey.from_type_string(line_type, blob)


class ParamikoSession:
    """One authenticated connection (and the jump session it rides on, if any)."""

    def __init__(
        self,
        target: SshTarget,
        client: paramiko.SSHClient,
        timeouts: Timeouts,
        jump: ParamikoSession | None = None,
    ) -> None:
        self.target, self._client, self._timeouts, self._jump = target, client, timeouts, jump
        self._sftp: paramiko.SFTPClient | None = None
        self._lock = threading.Lock()

    def _transport(self) -> paramiko.Transport:
        transport = self._client.get_transport()
        if transport is None or not transport.is_active():
            raise SshError(f"host {self.target.name}: connection closed")
        return transport

    def run(self, argv: Sequence[str], timeout_s: float | None = None) -> CommandResult:
        """Run ARGV (quoted with shlex.join: never a shell string from values) and collect its
        output; past TIMEOUT_S the command is signalled, its channel closed and the result has
        exit_status None."""
        argv = tuple(argv)
        limit = self._timeouts.command_s if timeout_s is None else timeout_s
        try:
            chan = self._transport().open_session(timeout=self._timeouts.connect_s)
            chan.exec_command(shlex.join(argv))
            chan.shutdown_write()
            return self._collect(chan, argv, limit)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise SshError(f"host {self.target.name}: {argv[0]}: {_reason(exc)}") from None

    def _collect(
        self, chan: paramiko.Channel, argv: tuple[str, ...], limit: float
    ) -> CommandResult:
        out, err = bytearray(), bytearray()
        deadline = time.monotonic() + limit
        try:
            while True:
                while chan.recv_ready():
                    _keep(out, chan.recv(READ_CHUNK))
                while chan.recv_stderr_ready():
                    _keep(err, chan.recv_stderr(READ_CHUNK))
                # data precedes exit-status on the wire: nothing pending now means all is read
                if chan.exit_status_ready() and not (chan.recv_ready() or chan.recv_stderr_ready()):
                    return CommandResult(argv, chan.recv_exit_status(), bytes(out), bytes(err))
                if chan.closed:
                    return CommandResult(argv, None, bytes(out), bytes(err))
                left = deadline - time.monotonic()
                if left <= 0:
                    _signal(chan, "KILL")
                    return CommandResult(argv, None, bytes(out), bytes(err))
                select.select([chan], [], [], min(left, POLL_S))
        finally:
            chan.close()

    def _sftp_client(self) -> paramiko.SFTPClient:
        with self._lock:
            if self._sftp is None:
                sftp = paramiko.SFTPClient.from_transport(self._transport())
                if sftp is None:
                    raise SshError(f"host {self.target.name}: SFTP not available")
                sftp.get_channel().settimeout(self._timeouts.command_s)  # type: ignore[union-attr]
                self._sftp = sftp
            return self._sftp

    def put(self, local: Path, remote: str, mode: int = 0o600) -> None:
        try:
            sftp = self._sftp_client()
            tmp = f"{remote}.govcloud-tmp"
            with open(local, "rb") as src, sftp.open(tmp, "wb") as dst:
                dst.chmod(mode)  # before the data: never readable by others
                while chunk := src.read(READ_CHUNK):
                    dst.write(chunk)
            sftp.posix_rename(tmp, remote)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise SshError(f"host {self.target.name}: put {remote}: {_reason(exc)}") from None

    def get(self, remote: str, local: Path) -> None:
        from govcloud.adapters.files import write_private

        try:
            with self._sftp_client().open(remote, "rb") as src:
                data = src.read()
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise SshError(f"host {self.target.name}: get {remote}: {_reason(exc)}") from None
        write_private(local, data)

    def listdir(self, remote: str) -> list[str]:
        try:
            attrs = self._sftp_client().listdir_attr(remote)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise SshError(f"host {self.target.name}: list {remote}: {_reason(exc)}") from None
        return sorted(a.filename for a in attrs if not stat.S_ISDIR(a.st_mode or 0))

    def forward(self, remote_host: str, remote_port: int) -> paramiko.Channel:
        return _direct_tcpip(self, remote_host, remote_port, self._timeouts.connect_s)

    def close(self) -> None:
        if self._sftp is not None:
            self._sftp.close()
        self._client.close()
        if self._jump is not None:
            self._jump.close()


def _keep(buf: bytearray, data: bytes) -> bool:
    if len(buf) < MAX_OUTPUT:
        buf += data[: MAX_OUTPUT - len(buf)]
    return bool(data)


def _signal(chan: paramiko.Channel, name: str) -> None:
    """Ask sshd to signal the command's process group (RFC 4254 6.9; OpenSSH >= 7.9 honours
    it for non-forced sessions); closing the channel follows either way."""
    msg = paramiko.Message()
    msg.add_byte(bytes([paramiko.common.MSG_CHANNEL_REQUEST]))
    msg.add_int(chan.remote_chanid)
    msg.add_string("signal")
    msg.add_boolean(False)
    msg.add_string(name)
    with contextlib.suppress(paramiko.SSHException, OSError, EOFError, AttributeError):
        chan.transport._send_user_message(msg)  # type: ignore[union-attr]


def _direct_tcpip(via: ParamikoSession, host: str, port: int, timeout: float) -> paramiko.Channel:
    try:
        return via._transport().open_channel(
            "direct-tcpip", dest_addr=(host, port), src_addr=("127.0.0.1", 0), timeout=timeout
        )
    except paramiko.ChannelException as exc:
        raise SshError(
            f"host {via.target.name}: cannot open a channel to {host}:{port}: {exc.text}",
            hint="the jump host must allow TCP forwarding (AllowTcpForwarding) to that address",
        ) from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise SshError(
            f"host {via.target.name}: cannot open a channel to {host}:{port}: {_reason(exc)}"
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _load_key(path: str, passphrase: Passphrase | None, host: str) -> paramiko.PKey:
    file = Path(path).expanduser()
    try:
        return paramiko.PKey.from_path(file)
    except (paramiko.PasswordRequiredException, TypeError):
        secret = passphrase(str(file)) if passphrase else None
        if secret is None:
            raise SshError(
                f"host {host}: key file {file} needs a passphrase",
                hint="run interactively to be asked, or load the key into ssh-agent",
            ) from None
        try:
            # the stub says str; cryptography's OpenSSH loader needs bytes
            return paramiko.PKey.from_path(file, secret.encode())  # type: ignore[arg-type]
        except (paramiko.SSHException, ValueError, TypeError):
            raise SshError(f"host {host}: wrong passphrase for key file {file}") from None
    except FileNotFoundError:
        raise SshError(f"host {host}: key file {file} does not exist") from None
    except (paramiko.SSHException, OSError, ValueError) as exc:
        raise SshError(f"host {host}: cannot read key file {file}: {_reason(exc)}") from None


def open_session(
    target: SshTarget,
    known_hosts_path: Path,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    *,
    passphrase: Passphrase | None = None,
) -> ParamikoSession:
    """Connect to TARGET (through its jump host, if any), verify its host key against the
    managed file only, authenticate with its key file or ssh-agent; raise SshError naming
    the host on any failure, leaving nothing open."""
    entries = known_hosts.load(known_hosts_path)
    for hop in (target.jump, target):
        if hop is not None:
            _require_pinned(hop, entries)
    jump = (
        open_session(target.jump, known_hosts_path, timeouts, passphrase=passphrase)
        if target.jump
        else None
    )
    try:
        sock = (
            _direct_tcpip(jump, target.address, target.port, timeouts.connect_s) if jump else None
        )
        return ParamikoSession(
            target, _connect(target, entries, timeouts, sock, passphrase), timeouts, jump
        )
    except BaseException:
        if jump is not None:
            jump.close()
        raise


def _require_pinned(target: SshTarget, entries: Sequence[known_hosts.Entry]) -> None:
    """A host the managed file says nothing about (no key, no CA, no revocation) is refused
    before any packet is sent to it: first contact goes through `govcloud host trust` only."""
    name = known_hosts.host_id(target.address, target.port)
    if known_hosts.for_host(entries, name):
        return
    raise SshError(
        f"host {target.name}: no host key pinned for {name}: not contacted",
        hint=f"first contact: `govcloud host trust {target.name} --fingerprint SHA256:…` "
        "(or --from-known-hosts FILE)",
    )


def _connect(
    target: SshTarget,
    entries: Sequence[known_hosts.Entry],
    timeouts: Timeouts,
    sock: paramiko.Channel | None,
    passphrase: Passphrase | None,
) -> paramiko.SSHClient:
    name = known_hosts.host_id(target.address, target.port)
    client = paramiko.SSHClient()
    certs = any(e.marker == known_hosts.CERT_AUTHORITY for e in known_hosts.for_host(entries, name))
    for entry in [] if certs else known_hosts.trusted_keys(entries, name):
        try:
            client.get_host_keys().add(name, entry.key_type, _pkey(entry.key_type, entry.key))
        except (paramiko.SSHException, ValueError):
            continue  # a key type paramiko cannot load: cannot be the one presented either
    principals = (target.address, target.name)  # a certificate names the host either way
    client.set_missing_host_key_policy(_Verify(entries, name, principals, certs=certs))
    pkey = _load_key(target.key_file, passphrase, target.name) if target.key_file else None
    where = f"host {target.name}"
    try:
        client.connect(
            target.address,
            port=target.port,
            username=target.user,
            pkey=pkey,
            allow_agent=pkey is None,
            look_for_keys=pkey is None,
            timeout=timeouts.connect_s,
            banner_timeout=timeouts.banner_s,
            auth_timeout=timeouts.auth_s,
            channel_timeout=timeouts.connect_s,
            sock=sock,
            # the stub's Transport.__init__ omits gss_kex / gss_deleg_creds, which it takes
            transport_factory=_CertsFirst if certs else None,  # type: ignore[arg-type]
        )
        return client
    except _Refused as exc:
        message, hint = f"{where}: {exc}", _TRUST_HINT.format(name=target.name)
    except paramiko.BadHostKeyException as exc:
        was = known_hosts.fingerprint(exc.expected_key.asbytes())
        now = known_hosts.fingerprint(exc.key.asbytes())
        message = f"{where}: host key changed (was {was}, now {now}): refused"
        hint = "if the host was reinstalled, check the new key out of band, then trust it again"
    except paramiko.AuthenticationException:
        how = f"key {target.key_file}" if target.key_file else "ssh-agent or default keys"
        message, hint = f"{where}: key not accepted for user {target.user} ({how})", None
    except TimeoutError:
        message, hint = f"{where}: connect timed out after {timeouts.connect_s:g} s", None
    except paramiko.ssh_exception.NoValidConnectionsError:
        message = f"{where}: connection refused at {target.address}:{target.port}"
        hint = None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        # the transport's thread may have died first ("No existing session"): its reason
        transport = client.get_transport()
        saved = transport.get_exception() if transport is not None else None
        text = _reason(saved or exc)
        if saved is None and text == "No existing session":  # start_client's timeout passed
            text = f"SSH handshake timed out after {timeouts.connect_s:g} s"
        elif "banner" in text.lower():
            text = f"no SSH banner within {timeouts.banner_s:g} s"
        message, hint = f"{where}: {text}", None
    client.close()
    raise SshError(message, hint=hint)


_TRUST_HINT = "check the key out of band, then `govcloud host trust {name} --fingerprint SHA256:…`"


def fetch_host_key(
    address: str,
    port: int,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    *,
    key_type: str | None = None,
    sock: paramiko.Channel | None = None,
) -> tuple[str, bytes]:
    """The host key ADDRESS:PORT presents (type and blob), without authenticating: what
    `host trust` compares with the fingerprint the operator was given. KEY_TYPE asks for one
    algorithm (a host has several keys; the operator may hold the fingerprint of any)."""
    where = f"{address}:{port}"
    try:
        raw = sock or socket.create_connection((address, port), timeout=timeouts.connect_s)
        transport = paramiko.Transport(raw)
        try:
            transport.banner_timeout = timeouts.banner_s
            if key_type is not None:
                transport.get_security_options().key_types = (key_type,)
            transport.start_client(timeout=timeouts.connect_s)
            key = transport.get_remote_server_key()
            return key.get_name(), key.asbytes()
        finally:
            transport.close()
    except TimeoutError:
        raise SshError(f"{where}: connect timed out after {timeouts.connect_s:g} s") from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise SshError(f"{where}: {_reason(exc)}") from None


def host_key_types() -> tuple[str, ...]:
    """The host key algorithms paramiko can check, most preferred first."""
    keys: tuple[str, ...] = paramiko.Transport._preferred_keys  # type: ignore[attr-defined]
    return tuple(keys)
