#!/usr/bin/python3
"""A VLAN "subinterface" for kernels without 802.1Q (CONFIG_VLAN_8021Q) or tc's vlan action.

    vlan-tag.py DIR VID     loads two tc programs and pins them as DIR/push and DIR/pop:
                            push tags every frame leaving with VID (802.1Q);
                            pop passes only frames tagged VID, untagged (the rest are dropped)

lab.sh attaches them (tc clsact, `bpf da object-pinned`) to the veth a lab peer speaks on, so
pppoe/pppoe-server on that veth send and receive untagged while the wire carries VID, as if they ran
on a VLAN subinterface. DIR must be a bpffs mount. The programs are a few hand-assembled eBPF
instructions: the lab machines have no clang, and the kernel checks them anyway (verifier).
"""
import ctypes, os, struct, sys

SYS_BPF = 321                      # x86_64
BPF_PROG_LOAD, BPF_OBJ_PIN = 5, 6
SCHED_CLS = 3
TC_ACT_OK, TC_ACT_SHOT = 0, 2
SKB_VLAN_PUSH, SKB_VLAN_POP = 18, 19
# struct __sk_buff offsets
VLAN_PRESENT, VLAN_TCI = 20, 24


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def mov(dst, imm): return insn(0xb7, dst, imm=imm)              # BPF_ALU64|BPF_MOV|BPF_K
def call(fn): return insn(0x85, imm=fn)
def exit_(): return insn(0x95)
def ldw(dst, src, off): return insn(0x61, dst, src, off)        # BPF_LDX|BPF_MEM|BPF_W
def and_(dst, imm): return insn(0x57, dst, imm=imm)             # BPF_ALU64|BPF_AND|BPF_K
def jeq(dst, imm, off): return insn(0x15, dst, off=off, imm=imm)
def jne(dst, imm, off): return insn(0x55, dst, off=off, imm=imm)


def push_prog(vid):
    # r1 = skb; bpf_skb_vlan_push(skb, htons(0x8100), vid)
    return [mov(2, 0x0081), mov(3, vid), call(SKB_VLAN_PUSH), mov(0, TC_ACT_OK), exit_()]


def pop_prog(vid):
    return [
        ldw(2, 1, VLAN_PRESENT), jeq(2, 0, 6),                  # untagged -> drop
        ldw(2, 1, VLAN_TCI), and_(2, 0xfff), jne(2, vid, 3),     # another VLAN -> drop
        call(SKB_VLAN_POP), mov(0, TC_ACT_OK), exit_(),
        mov(0, TC_ACT_SHOT), exit_(),
    ]


libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(SYS_BPF, cmd, buf, 128)
    if r < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return r


def load(name, insns):
    code = ctypes.create_string_buffer(b"".join(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    logbuf = ctypes.create_string_buffer(65536)
    attr = struct.pack("<IIQQIIQII16s", SCHED_CLS, len(insns), ctypes.addressof(code), ctypes.addressof(lic),
                       1, len(logbuf), ctypes.addressof(logbuf), 0, 0, name.encode())
    try:
        return bpf(BPF_PROG_LOAD, attr)
    except OSError as e:
        sys.exit("vlan-tag.py: %s not loaded: %s\n%s" % (name, e, logbuf.value.decode(errors="replace")))


def pin(fd, path):
    p = ctypes.create_string_buffer(path.encode())
    bpf(BPF_OBJ_PIN, struct.pack("<QI", ctypes.addressof(p), fd))


def main():
    if len(sys.argv) != 3 or not sys.argv[2].isdigit() or not 1 <= int(sys.argv[2]) <= 4094:
        sys.exit("usage: vlan-tag.py BPFFS_DIR VID(1-4094)")
    d, vid = sys.argv[1], int(sys.argv[2])
    pin(load("vlan_push", push_prog(vid)), os.path.join(d, "push"))
    pin(load("vlan_pop", pop_prog(vid)), os.path.join(d, "pop"))


if __name__ == "__main__":
    main()
