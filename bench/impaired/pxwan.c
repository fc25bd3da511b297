/*
 * pxwan: the "WAN" of the impaired-path bench (bench/impaired/run.sh) and its sink.
 *
 *   pxwan stage IF_A IF_B DELAY_MS [CTL]  forward IPv4, ARP and PPPoE-session frames between two
 *                                         interfaces, each held DELAY_MS (one way) before it leaves;
 *                                         SIGHUP re-reads the delay from file CTL (no restart, so a
 *                                         tunnel's packets in flight are not lost when the RTT changes)
 *   pxwan sink IF MAXSECS IDLEMS RATE SECS  count pxbench frames (see bench/pxbench.c) sent after the
 *                                         sink started: one-way latency p50/p99 and longest stall
 *                                         (also counting only frames at most 1 s late)
 *
 * Why our own stage: this kernel has no netem. Loss is not ours: nftables drops in the stage's
 * namespace on netdev ingress, which runs before a protocol-bound packet socket sees the frame
 * (a socket bound to ETH_P_ALL would see it first). Frames leave in arrival order (constant delay),
 * so each direction is a FIFO ring; a full ring drops and counts (a router's tail drop).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#define SLOTS 32768            /* per direction: 1.6 s at 20k fps, far above any delay we use */
#define SLOT_BYTES 1536
#define BATCH 64
#define SEQ_OFF 42
#define TS_OFF 50

static volatile sig_atomic_t stop_flag, reload_flag;
static void on_signal(int s) { (void)s; stop_flag = 1; }
static void on_hup(int s) { (void)s; reload_flag = 1; }
static void die(const char *what) { perror(what); exit(2); }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int open_sock(int ifindex, int proto) {
    int fd = socket(AF_PACKET, SOCK_RAW, htons(proto));
    if (fd < 0) die("socket");
    struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto), .sll_ifindex = ifindex };
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) die("bind");
    int one = 1, big = 64 << 20;
    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    return fd;
}

struct ring {
    uint8_t (*data)[SLOT_BYTES];
    uint64_t *due;
    uint32_t *len;
    uint64_t head, tail;        /* tail - head = frames held */
    uint64_t fwd, qdrop, txerr;
    int out_fd, out_ifindex;
};

static void ring_init(struct ring *r, int out_fd, int out_ifindex) {
    memset(r, 0, sizeof *r);
    r->data = malloc((size_t)SLOTS * SLOT_BYTES);
    r->due = calloc(SLOTS, sizeof *r->due);
    r->len = calloc(SLOTS, sizeof *r->len);
    if (!r->data || !r->due || !r->len) die("malloc");
    r->out_fd = out_fd; r->out_ifindex = out_ifindex;
}

/* Reads what fd has into the ring (straight into the slots), stamping each with its due time. */
static void ring_fill(struct ring *r, int fd, uint64_t delay_ns) {
    static uint8_t scratch[BATCH][SLOT_BYTES];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (;;) {
        uint64_t room = SLOTS - (r->tail - r->head);
        int n = room < BATCH ? (int)room : BATCH, k;
        if (n == 0) {          /* full: drain the socket anyway, counted as the WAN's own drops */
            for (k = 0; k < BATCH; k++) {
                iov[k] = (struct iovec){ scratch[k], SLOT_BYTES };
                msgs[k].msg_hdr = (struct msghdr){ .msg_iov = &iov[k], .msg_iovlen = 1 };
            }
            int got = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
            if (got <= 0) return;
            r->qdrop += got;
            continue;
        }
        for (k = 0; k < n; k++) {
            uint64_t s = (r->tail + k) % SLOTS;
            iov[k] = (struct iovec){ r->data[s], SLOT_BYTES };
            msgs[k].msg_hdr = (struct msghdr){ .msg_iov = &iov[k], .msg_iovlen = 1 };
        }
        int got = recvmmsg(fd, msgs, n, MSG_DONTWAIT, NULL);
        if (got <= 0) return;
        uint64_t due = now_ns() + delay_ns;
        for (k = 0; k < got; k++) {
            uint64_t s = (r->tail + k) % SLOTS;
            r->due[s] = due;
            r->len[s] = msgs[k].msg_len > SLOT_BYTES ? SLOT_BYTES : msgs[k].msg_len;
        }
        r->tail += got;
        if (got < n) return;
    }
}

/* Sends every frame whose time has come; returns the next due time (0 when empty). */
static uint64_t ring_flush(struct ring *r) {
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_ll to[BATCH];
    for (;;) {
        uint64_t t = now_ns();
        int n = 0;
        while (n < BATCH && r->head + n < r->tail && r->due[(r->head + n) % SLOTS] <= t) {
            uint64_t s = (r->head + n) % SLOTS;
            uint8_t *f = r->data[s];
            to[n] = (struct sockaddr_ll){ .sll_family = AF_PACKET, .sll_ifindex = r->out_ifindex, .sll_halen = 6,
                                          .sll_protocol = htons((f[12] << 8) | f[13]) };
            memcpy(to[n].sll_addr, f, 6);
            iov[n] = (struct iovec){ f, r->len[s] };
            msgs[n].msg_hdr = (struct msghdr){ .msg_name = &to[n], .msg_namelen = sizeof to[n], .msg_iov = &iov[n], .msg_iovlen = 1 };
            n++;
        }
        if (n == 0) return r->head < r->tail ? r->due[r->head % SLOTS] : 0;
        int sent = sendmmsg(r->out_fd, msgs, n, 0);
        if (sent < 0) { r->txerr += n; sent = n; }      /* ENOBUFS: the frame is lost, counted */
        r->fwd += sent;
        r->head += sent;
    }
}

static const int protos[] = { ETH_P_IP, ETH_P_ARP, 0x8864 };
#define NPROTO 3

static int cmd_stage(char **a) {
    int ifa = if_nametoindex(a[0]), ifb = if_nametoindex(a[1]);
    if (!ifa || !ifb) { fprintf(stderr, "pxwan: no such interface %s or %s\n", a[0], a[1]); return 2; }
    uint64_t delay_ns = (uint64_t)(atof(a[2]) * 1e6);
    struct pollfd p[2 * NPROTO];
    for (int i = 0; i < NPROTO; i++) {
        p[i] = (struct pollfd){ .fd = open_sock(ifa, protos[i]), .events = POLLIN };
        p[NPROTO + i] = (struct pollfd){ .fd = open_sock(ifb, protos[i]), .events = POLLIN };
    }
    struct ring ab, ba;   /* a->b leaves through b's IPv4 socket (any bound socket can send any frame) */
    ring_init(&ab, p[NPROTO].fd, ifb);
    ring_init(&ba, p[0].fd, ifa);
    printf("ready delay_ms=%s\n", a[2]);
    fflush(stdout);
    while (!stop_flag) {
        if (reload_flag && a[3]) {
            reload_flag = 0;
            FILE *f = fopen(a[3], "r");
            double ms;
            if (f && fscanf(f, "%lf", &ms) == 1 && ms >= 0) { delay_ns = (uint64_t)(ms * 1e6); printf("delay_ms=%g\n", ms); }
            if (f) fclose(f);
        }
        uint64_t n1 = ring_flush(&ab), n2 = ring_flush(&ba), next = n1 && n2 ? (n1 < n2 ? n1 : n2) : (n1 ? n1 : n2);
        uint64_t t = now_ns(), wait = next ? (next > t ? next - t : 0) : 200000000ull;
        struct timespec ts = { .tv_sec = wait / 1000000000ull, .tv_nsec = wait % 1000000000ull };
        if (ppoll(p, 2 * NPROTO, &ts, NULL) <= 0) continue;
        for (int i = 0; i < 2 * NPROTO; i++)
            if (p[i].revents & POLLIN) ring_fill(i < NPROTO ? &ab : &ba, p[i].fd, delay_ns);
    }
    printf("fwd_ab=%llu fwd_ba=%llu qdrop=%llu txerr=%llu\n", (unsigned long long)ab.fwd, (unsigned long long)ba.fwd,
           (unsigned long long)(ab.qdrop + ba.qdrop), (unsigned long long)(ab.txerr + ba.txerr));
    return 0;
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* sink: like pxbench sink, plus one-way latency (CLOCK_MONOTONIC is shared by all namespaces) and
 * the longest stall: the longest time without a fresh frame arriving while the generator was sending
 * (its window is [start, start + SECS], start estimated from seq and RATE, shifted by the least
 * latency seen). Frames sent before the sink started (a previous trial's backlog) are counted stale. */
static int cmd_sink(char **a) {
    int ifindex = if_nametoindex(a[0]);
    if (!ifindex) { fprintf(stderr, "pxwan: no such interface %s\n", a[0]); return 2; }
    double maxsecs = atof(a[1]), rate = atof(a[3]), secs = atof(a[4]);
    int idle_ms = atoi(a[2]);
    int fd = open_sock(ifindex, 0x8864);
    uint64_t cap = (uint64_t)(rate * secs * 1.1) + 1024, n_rx = 0, stale = 0, dups = 0, alien = 0;
    uint64_t *rx = malloc(cap * 8), *lat = malloc(cap * 8);
    const uint64_t max_seq = 1ull << 30;
    uint8_t *seen = calloc(max_seq / 8, 1);
    if (!rx || !lat || !seen) die("malloc");
    static uint8_t bufs[BATCH][2048];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    uint64_t start = now_ns(), last_rx = start, gen_start = UINT64_MAX;
    int any = 0;
    printf("ready\n");
    fflush(stdout);
    while (!stop_flag) {
        uint64_t t = now_ns();
        if (t - start > (uint64_t)(maxsecs * 1e9)) break;
        if (any && t - last_rx > (uint64_t)idle_ms * 1000000ull) break;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 20) <= 0) continue;
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){ bufs[i], sizeof bufs[i] };
            msgs[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) continue;
        t = now_ns();
        for (int i = 0; i < n; i++) {
            uint8_t *f = bufs[i];
            uint64_t s, ts;
            if (msgs[i].msg_len < TS_OFF + 8 || f[21] != 0x21 || f[31] != 253) { alien++; continue; }
            memcpy(&s, f + SEQ_OFF, 8);
            memcpy(&ts, f + TS_OFF, 8);
            if (ts < start || ts > t) { stale++; continue; }
            if (s >= max_seq || (seen[s >> 3] & (1 << (s & 7)))) { dups++; continue; }
            seen[s >> 3] |= 1 << (s & 7);
            uint64_t g = ts - (uint64_t)(s / rate * 1e9);
            if (g < gen_start) gen_start = g;
            if (n_rx < cap) { rx[n_rx] = t; lat[n_rx] = t - ts; n_rx++; }
            last_rx = t; any = 1;
        }
    }
    double stall_ms = -1, ontime_stall_ms = -1, p50 = -1, p99 = -1, pmax = -1, pmin = -1;
    if (n_rx) {
        uint64_t minlat = UINT64_MAX;
        for (uint64_t i = 0; i < n_rx; i++) if (lat[i] < minlat) minlat = lat[i];
        uint64_t w0 = gen_start + minlat, w1 = gen_start + (uint64_t)(secs * 1e9) + minlat, prev = w0, gap = 0;
        for (uint64_t i = 0; i < n_rx && rx[i] <= w1; i++) {
            if (rx[i] > prev && rx[i] - prev > gap) gap = rx[i] - prev;
            if (rx[i] > prev) prev = rx[i];
        }
        if (w1 > prev && w1 - prev > gap) gap = w1 - prev;   /* nothing came at the end either */
        stall_ms = gap / 1e6;
        /* The same over frames at most 1 s later than the fastest (RFC 6298's initial RTO: a frame
         * later than that has been given up on by the TCP inside it). A tunnel that delivers only a
         * backlog seconds old shows short arrival gaps above, and here the stall it really is. */
        uint64_t prev2 = w0, gap2 = 0;
        for (uint64_t i = 0; i < n_rx && rx[i] <= w1; i++) {
            if (lat[i] > minlat + 1000000000ull) continue;
            if (rx[i] > prev2 && rx[i] - prev2 > gap2) gap2 = rx[i] - prev2;
            if (rx[i] > prev2) prev2 = rx[i];
        }
        if (w1 > prev2 && w1 - prev2 > gap2) gap2 = w1 - prev2;
        ontime_stall_ms = gap2 / 1e6;
        qsort(lat, n_rx, 8, cmp_u64);
        pmin = lat[0] / 1e3; p50 = lat[n_rx / 2] / 1e3; p99 = lat[n_rx * 99 / 100] / 1e3; pmax = lat[n_rx - 1] / 1e3;
    } else stall_ms = ontime_stall_ms = secs * 1e3;
    struct tpacket_stats st = {0};
    socklen_t sl = sizeof st;
    getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
    printf("uniq=%llu dups=%llu stale=%llu alien=%llu sinkdrops=%u lat_min_us=%.1f lat_p50_us=%.1f lat_p99_us=%.1f lat_max_us=%.1f stall_ms=%.2f ontime_stall_ms=%.2f\n",
           (unsigned long long)n_rx, (unsigned long long)dups, (unsigned long long)stale, (unsigned long long)alien,
           st.tp_drops, pmin, p50, p99, pmax, stall_ms, ontime_stall_ms);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_hup);
    prctl(PR_SET_TIMERSLACK, 1UL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 5 && !strcmp(argv[1], "stage")) return cmd_stage(argv + 2);
    if (argc >= 7 && !strcmp(argv[1], "sink")) return cmd_sink(argv + 2);
    fprintf(stderr, "usage: pxwan stage IF_A IF_B DELAY_MS [CTL] | sink IF MAXSECS IDLEMS RATE SECS\n");
    return 2;
}
