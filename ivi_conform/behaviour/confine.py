"""What the child does to itself before it imports the driver: Linux Landlock and seccomp.

Loaded by its path by ``agent.py`` (the child imports nothing of the
ivi_conform package), so: standard library only. Every restriction binds the
child and every process it starts, and none can be lifted afterwards
(``PR_SET_NO_NEW_PRIVS`` first). Each one is tried on its own; what the kernel
refuses is left out and the facts returned say what is in force, which the
parent puts in the report.

* **Files** (Landlock, ABI 1+): reading stays allowed everywhere (the driver
  imports its dependencies); creating, writing, truncating, renaming and
  removing files only beneath the scratch folder (and writing to ``/dev``).
* **TCP** (Landlock, ABI 4+): ``connect`` only to the ports the parent names
  (its simulators', the user's instrument's); ``bind`` only to port 0.
  Landlock rules name a port, not an address: the child may reach any host
  on an allowed port.
* **Signals and abstract sockets** (Landlock scopes, ABI 6+): the child cannot
  signal a process outside its sandbox (the parent, another audit) nor
  connect to an abstract Unix socket outside it.
* **Capabilities**: all dropped (effective, permitted, inheritable, ambient
  and bounding), and root's regained on ``exec`` locked away. A child of
  root keeps uid 0 but no privilege: without ``CAP_SYS_PTRACE`` Landlock
  keeps it from reading another process's ``/proc/<pid>/environ`` (the
  parent's secrets), and without ``CAP_NET_RAW``/``CAP_NET_ADMIN`` it
  cannot go around the rules above.
* **Sockets and sessions** (seccomp, x86-64 and AArch64): ``socket`` only for
  Unix sockets and TCP (no UDP, raw or packet sockets, so no datagram goes
  around the TCP rules) unless datagrams are allowed (a named instrument
  whose host needs DNS); no ``setsid`` or ``setpgid`` (every process the
  driver starts stays in the process group the parent kills); no
  ``io_uring`` (its socket operations bypass seccomp).
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1
_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_PR_CAPBSET_DROP, _PR_SET_SECUREBITS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 24, 28, 47, 4
_SECBIT_NOROOT_AND_LOCKED = (1 << 0) | (1 << 1)
_CAPABILITY_VERSION_3 = 0x20080522

#: (audit arch, socket, setsid, setpgid, io_uring_setup) of the architectures filtered.
_SYSCALLS = {
    "x86_64": (0xC000003E, 41, 112, 109, 425),
    "aarch64": (0xC00000B7, 198, 157, 154, 425),
}
_AF_UNIX, _AF_INET, _AF_INET6, _SOCK_STREAM, _SOCK_TYPE_MASK = 1, 2, 10, 1, 0xF
_EPERM, _EACCES, _ENOSYS, _EAFNOSUPPORT = 1, 13, 38, 97


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none, another OS, or refused)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        return max(int(_libc().syscall(_CREATE_RULESET, None, 0, 1)), 0)
    except (OSError, AttributeError):
        return 0


def _write_rights(abi: int) -> int:
    rights = (1 << 1) | (1 << 4) | (1 << 5) | sum(1 << bit for bit in range(6, 13))
    if abi >= 2:
        rights |= 1 << 13  # REFER (renames and links across folders)
    if abi >= 3:
        rights |= 1 << 14  # TRUNCATE
    return rights


def _landlock(abi: int, folder: str, connect_ports: list[int] | None) -> dict[str, object]:
    """One Landlock ruleset: files, TCP ports (if named) and scopes, as far as ``abi`` goes."""
    libc = _libc()
    writes = _write_rights(abi)
    ports = sorted({port for port in connect_ports or () if 0 < port < 65536})
    network = _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 and connect_ports is not None else 0
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("=QQQ", writes, network, scoped)[: 24 if abi >= 6 else 16 if abi >= 4
                                                          else 8]
    ruleset = int(libc.syscall(_CREATE_RULESET, ctypes.c_char_p(attr), len(attr), 0))
    if ruleset < 0:
        return {}
    try:
        for path, rights in ((folder, writes), ("/dev", 1 << 1)):
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = struct.pack("=Qi", rights, fd)
                libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.c_char_p(rule), 0)
            finally:
                os.close(fd)
        if network:
            rules = [(_NET_BIND_TCP, 0)] + [(_NET_CONNECT_TCP, port) for port in ports]
            for access, port in rules:
                rule = struct.pack("=QQ", access, port)
                if libc.syscall(_ADD_RULE, ruleset, _RULE_NET_PORT, ctypes.c_char_p(rule), 0):
                    return {}
        if int(libc.syscall(_RESTRICT_SELF, ruleset, 0)) != 0:
            return {}
    finally:
        os.close(ruleset)
    return {"landlock": abi, "tcp_ports": ports if network else None,
            "scoped": bool(scoped)}


class _Program:
    """A classic BPF program, assembled with labels."""

    def __init__(self) -> None:
        self.code: list[tuple[int, str | int, str | int, int]] = []
        self.labels: dict[str, int] = {}

    def load(self, offset: int) -> None:
        self.code.append((0x20, 0, 0, offset))  # BPF_LD | BPF_W | BPF_ABS

    def mask(self, value: int) -> None:
        self.code.append((0x54, 0, 0, value))  # BPF_ALU | BPF_AND | BPF_K

    def jump_eq(self, value: int, then: str | int = 0, other: str | int = 0) -> None:
        self.code.append((0x15, then, other, value))  # BPF_JMP | BPF_JEQ | BPF_K

    def jump_ge(self, value: int, then: str | int = 0, other: str | int = 0) -> None:
        self.code.append((0x35, then, other, value))  # BPF_JMP | BPF_JGE | BPF_K

    def ret(self, value: int, label: str = "") -> None:
        if label:
            self.labels[label] = len(self.code)
        self.code.append((0x06, 0, 0, value))  # BPF_RET | BPF_K

    def assemble(self) -> bytes:
        def offset(index: int, target: str | int) -> int:
            return self.labels[target] - index - 1 if isinstance(target, str) else target

        return b"".join(struct.pack("=HBBI", code, offset(i, jt), offset(i, jf), k)
                        for i, (code, jt, jf, k) in enumerate(self.code))


def _seccomp(datagrams: bool) -> bool:
    """Install the socket and session filter (see the module doc); whether it is in force."""
    known = _SYSCALLS.get(platform.machine())
    if known is None:
        return False
    arch, socket_nr, setsid_nr, setpgid_nr, io_uring_nr = known
    allow, errno = 0x7FFF0000, 0x00050000
    bpf = _Program()
    bpf.load(4)  # seccomp_data.arch
    bpf.jump_eq(arch, 0, "deny")  # another ABI (i386 through int 0x80): nothing
    bpf.load(0)  # seccomp_data.nr
    bpf.jump_ge(0x40000000, "deny")  # the x32 ABI
    bpf.jump_eq(setsid_nr, "deny")
    bpf.jump_eq(setpgid_nr, "deny")
    bpf.jump_eq(io_uring_nr, "absent")
    bpf.jump_eq(socket_nr, 0, "allow")
    bpf.load(16)  # args[0]: the address family
    bpf.jump_eq(_AF_UNIX, "allow")
    bpf.jump_eq(_AF_INET, "inet")
    bpf.jump_eq(_AF_INET6, "inet")
    bpf.ret(errno | _EAFNOSUPPORT)
    bpf.labels["inet"] = len(bpf.code)
    bpf.load(24)  # args[1]: the socket type (and flags)
    bpf.mask(_SOCK_TYPE_MASK)
    bpf.jump_eq(_SOCK_STREAM, "allow")
    bpf.ret(allow if datagrams else errno | _EACCES)
    bpf.ret(errno | _EPERM, "deny")
    bpf.ret(errno | _ENOSYS, "absent")
    bpf.ret(allow, "allow")
    program = bpf.assemble()
    buffer = ctypes.create_string_buffer(program)
    fprog = struct.pack("@HP", len(program) // 8, ctypes.addressof(buffer))  # sock_fprog
    libc = _libc()
    return bool(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.c_char_p(fprog), 0, 0)
                == 0)


def _effective_capabilities() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


def _drop_capabilities() -> bool:
    """Drop every capability for good; whether none is left (see the module doc)."""
    libc = _libc()
    if _effective_capabilities():
        libc.prctl(_PR_SET_SECUREBITS, _SECBIT_NOROOT_AND_LOCKED, 0, 0, 0)
        for capability in range(64):
            if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                break  # EINVAL past the last capability the kernel knows
        libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        header = struct.pack("=Ii", _CAPABILITY_VERSION_3, 0)
        libc.capset(ctypes.c_char_p(header), ctypes.c_char_p(bytes(24)))
    return _effective_capabilities() == 0


def confine(folder: str, connect_ports: list[int] | None, datagrams: bool) -> dict[str, object]:
    """Confine this process (and what it starts) before the driver runs; what is in force.

    ``connect_ports`` None leaves TCP unconfined (the parent did not name the
    ports the driver needs). The facts: ``landlock`` (the ABI, 0 without
    it), ``tcp_ports`` (the ports TCP may connect to; None: not confined),
    ``scoped`` (signals and abstract sockets kept inside), ``seccomp``
    (the socket and session filter), ``datagrams`` (UDP allowed) and
    ``capabilities`` (False: none left).
    """
    facts: dict[str, object] = {"landlock": 0, "tcp_ports": None, "scoped": False,
                                "seccomp": False, "datagrams": True, "capabilities": True}
    if not sys.platform.startswith("linux"):
        return facts
    try:
        if _libc().prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return facts
        abi = landlock_abi()
        if abi:
            facts.update(_landlock(abi, folder, connect_ports))
        if _seccomp(datagrams):
            facts.update(seccomp=True, datagrams=datagrams)
        facts["capabilities"] = not _drop_capabilities()
    except (OSError, AttributeError, ValueError, struct.error):
        pass
    return facts
