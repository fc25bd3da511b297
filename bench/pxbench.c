/*
 * pxbench: PPPoE session-frame generator, sink and latency probe for bench/run.sh.
 *
 *   pxbench gen  IF SRCMAC DSTMAC LEN RATE SECS   offer RATE frames/s for SECS; prints sent=
 *   pxbench sink IF MAXSECS IDLEMS [reflect]      count until IDLEMS without frames (after the
 *                                                 first) or MAXSECS; reflect echoes with MACs swapped
 *   pxbench ping IF SRCMAC DSTMAC RATE SECS       timestamped frames, RTT of the echoes: p50/p99 in us
 *   pxbench relay IF listen|connect PORT [CERT]   minimal one-thread relay over loopback TCP (reference);
 *                                                 with CERT (CERT.crt, CERT.key; built with -DPXB_TLS
 *                                                 -lssl -lcrypto) the same over TLS 1.3 with OpenSSL
 *
 * Frames: Ethernet | PPPoE session (0x8864, sid 0x1234) | PPP 0x0021 | IPv4 (proto 253, RFC 3692
 * experimental) | seq u64 @42 | send time ns u64 @50. LEN 60 is the 64-byte frame without FCS.
 * AF_PACKET + sendmmsg/recvmmsg in batches: one syscall per batch keeps the tools far cheaper
 * than the proxy they measure on a 2-core box.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
#ifdef PXB_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define ETH_P_PPPOE_SES 0x8864
#define SEQ_OFF 42
#define TS_OFF 50
#define MAX_BATCH 256
#define MAX_FRAME 1514
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static volatile sig_atomic_t stop_flag;
static void on_signal(int s) { (void)s; stop_flag = 1; }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what) { perror(what); exit(2); }

static void parse_mac(const char *s, uint8_t *mac) {
    if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6) {
        fprintf(stderr, "bad MAC %s\n", s);
        exit(2);
    }
}

/* A raw socket bound to IF for PPPoE session frames; our own transmissions are not looped back. */
static int open_socket(const char *ifname, int *ifindex) {
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_PPPOE_SES));
    if (fd < 0) die("socket");
    *ifindex = if_nametoindex(ifname);
    if (!*ifindex) die(ifname);
    struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_PPPOE_SES), .sll_ifindex = *ifindex };
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) die("bind");
    int one = 1, big = 64 << 20;
    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    /* Deep buffers so the tools never drop before the proxy does; FORCE works as root. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) < 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    return fd;
}

static uint16_t ip_checksum(const uint8_t *p, int n) {
    uint32_t sum = 0;
    for (int i = 0; i < n; i += 2) sum += (p[i] << 8) | p[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void build_frame(uint8_t *f, int len, const uint8_t *src, const uint8_t *dst) {
    memset(f, 0, len);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x88; f[13] = 0x64;                  /* PPPoE session */
    f[14] = 0x11; f[15] = 0x00;                  /* ver 1 type 1, code 0 */
    f[16] = 0x12; f[17] = 0x34;                  /* session id */
    int ppp_len = len - 20;                      /* PPP protocol + IPv4 packet */
    f[18] = ppp_len >> 8; f[19] = ppp_len & 0xff;
    f[20] = 0x00; f[21] = 0x21;                  /* PPP: IPv4 */
    uint8_t *ip = f + 22;
    int ip_len = len - 22;
    ip[0] = 0x45; ip[2] = ip_len >> 8; ip[3] = ip_len & 0xff;
    ip[8] = 64; ip[9] = 253;
    ip[12] = 10; ip[13] = 0; ip[14] = 0; ip[15] = 2;
    ip[16] = 10; ip[17] = 0; ip[18] = 0; ip[19] = 1;
    uint16_t c = ip_checksum(ip, 20);
    ip[10] = c >> 8; ip[11] = c & 0xff;
}

static int is_ours(const uint8_t *f, int n) {
    return n >= TS_OFF + 8 && f[12] == 0x88 && f[13] == 0x64 && f[20] == 0x00 && f[21] == 0x21 && f[22 + 9] == 253;
}

/* Sleeps until an absolute CLOCK_MONOTONIC time (timer slack is set to 1 ns in main). */
static void sleep_until(uint64_t t) {
    struct timespec ts = { .tv_sec = t / 1000000000ull, .tv_nsec = t % 1000000000ull };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_flag) {}
}

static int cmd_gen(char **a) {
    uint8_t src[6], dst[6];
    int ifindex, len = atoi(a[3]);
    double rate = atof(a[4]), secs = atof(a[5]);
    parse_mac(a[1], src); parse_mac(a[2], dst);
    if (len < 60 || len > MAX_FRAME) { fprintf(stderr, "LEN must be 60..1514\n"); return 2; }
    int fd = open_socket(a[0], &ifindex);
    /* Batches ~100 us apart: fine pacing, yet few wakeups at 100k+ frames/s. */
    int batch = (int)(rate * 100e-6);
    if (batch < 1) batch = 1;
    if (batch > MAX_BATCH) batch = MAX_BATCH;
    static uint8_t frames[MAX_BATCH][MAX_FRAME];
    struct mmsghdr msgs[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
    memcpy(to.sll_addr, dst, 6);
    for (int i = 0; i < batch; i++) {
        build_frame(frames[i], len, src, dst);
        iov[i] = (struct iovec){ frames[i], (size_t)len };
        msgs[i].msg_hdr = (struct msghdr){ .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[i], .msg_iovlen = 1 };
    }
    uint64_t seq = 0, failed = 0, total = (uint64_t)(rate * secs), start = now_ns();
    uint64_t end = start + (uint64_t)(secs * 1e9) + 2000000ull; /* behind schedule: stop on time anyway */
    double interval = 1e9 / rate;
    while (seq < total && !stop_flag && now_ns() < end) {
        uint64_t due = start + (uint64_t)(seq * interval);
        if (due > now_ns()) sleep_until(due);
        int n = total - seq < (uint64_t)batch ? (int)(total - seq) : batch;
        uint64_t ts = now_ns();
        for (int i = 0; i < n; i++) {
            uint64_t s = seq + i;
            memcpy(frames[i] + SEQ_OFF, &s, 8);
            memcpy(frames[i] + TS_OFF, &ts, 8);
        }
        int sent = sendmmsg(fd, msgs, n, 0);
        if (sent < 0) { failed += n; sent = n; } /* ENOBUFS: counted as offered-but-refused */
        else if (sent < n) failed += n - sent;
        seq += n;
    }
    double elapsed = (now_ns() - start) / 1e9;
    printf("sent=%llu refused=%llu elapsed=%.3f\n", (unsigned long long)seq, (unsigned long long)failed, elapsed);
    return 0;
}

static int cmd_sink(char **a, int reflect) {
    int ifindex;
    double maxsecs = atof(a[1]);
    int idle_ms = atoi(a[2]);
    int fd = open_socket(a[0], &ifindex);
    static uint8_t bufs[MAX_BATCH][2048];
    struct mmsghdr msgs[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    struct sockaddr_ll from[MAX_BATCH];
    /* Seen-bitmap: 2^30 sequence numbers; calloc'd pages are only touched when used. */
    const uint64_t max_seq = 1ull << 30;
    uint8_t *seen = calloc(max_seq / 8, 1);
    if (!seen) die("calloc");
    uint64_t recv = 0, uniq = 0, dups = 0, reorder = 0, last = 0, maxs = 0, echoed = 0;
    int any = 0;
    uint64_t start = now_ns(), last_rx = start;
    printf("ready\n");
    fflush(stdout);
    while (!stop_flag) {
        uint64_t t = now_ns();
        if (t - start > (uint64_t)(maxsecs * 1e9)) break;
        if (any && t - last_rx > (uint64_t)idle_ms * 1000000ull) break;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 20) <= 0) continue;
        for (int i = 0; i < MAX_BATCH; i++) {
            iov[i] = (struct iovec){ bufs[i], sizeof bufs[i] };
            msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[i], .msg_iovlen = 1 };
        }
        int n = recvmmsg(fd, msgs, MAX_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) continue;
        last_rx = now_ns();
        any = 1;
        int out = 0;
        for (int i = 0; i < n; i++) {
            uint8_t *f = bufs[i];
            int len = msgs[i].msg_len;
            if (!is_ours(f, len)) continue;
            uint64_t s;
            memcpy(&s, f + SEQ_OFF, 8);
            recv++;
            if (s < max_seq) {
                if (seen[s >> 3] & (1 << (s & 7))) dups++;
                else { seen[s >> 3] |= 1 << (s & 7); uniq++; }
            }
            if (recv > 1 && s < last) reorder++;
            last = s;
            if (s > maxs) maxs = s;
            if (reflect) {
                uint8_t mac[6];
                memcpy(mac, f, 6); memcpy(f, f + 6, 6); memcpy(f + 6, mac, 6);
                iov[out] = (struct iovec){ f, (size_t)len };
                msgs[out].msg_hdr = (struct msghdr){ .msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[out], .msg_iovlen = 1 };
                memcpy(from[i].sll_addr, f, 6);
                out++;
            }
        }
        if (out > 0) { int s = sendmmsg(fd, msgs, out, 0); if (s > 0) echoed += s; }
    }
    struct tpacket_stats st = {0};
    socklen_t sl = sizeof st;
    getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
    printf("recv=%llu uniq=%llu dups=%llu reorder=%llu maxseq=%llu sinkdrops=%u echoed=%llu\n",
           (unsigned long long)recv, (unsigned long long)uniq, (unsigned long long)dups, (unsigned long long)reorder,
           (unsigned long long)maxs, st.tp_drops, (unsigned long long)echoed);
    return 0;
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static int cmd_ping(char **a) {
    uint8_t src[6], dst[6];
    int ifindex;
    double rate = atof(a[3]), secs = atof(a[4]);
    parse_mac(a[1], src); parse_mac(a[2], dst);
    int fd = open_socket(a[0], &ifindex);
    uint8_t frame[64], in[2048];
    build_frame(frame, 64, src, dst);
    struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
    memcpy(to.sll_addr, dst, 6);
    uint64_t total = (uint64_t)(rate * secs), sent = 0, got = 0;
    uint64_t *rtt = calloc(total + 1, sizeof *rtt), *sent_at = calloc(total + 1, sizeof *sent_at);
    uint64_t start = now_ns(), interval = (uint64_t)(1e9 / rate), end = start + (uint64_t)(secs * 1e9) + 500000000ull;
    while (!stop_flag) {
        uint64_t t = now_ns();
        if (t >= end) break;
        if (sent < total && t >= start + sent * interval) {
            memcpy(frame + SEQ_OFF, &sent, 8);
            memcpy(frame + TS_OFF, &t, 8);
            if (sendto(fd, frame, sizeof frame, 0, (struct sockaddr *)&to, sizeof to) == sizeof frame) sent++;
            continue;
        }
        uint64_t wait_ns = sent < total ? start + sent * interval - t : end - t;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        struct timespec ts = { .tv_sec = wait_ns / 1000000000ull, .tv_nsec = wait_ns % 1000000000ull };
        if (ppoll(&p, 1, &ts, NULL) <= 0) continue;
        int n;
        while ((n = recv(fd, in, sizeof in, MSG_DONTWAIT)) > 0) {
            uint64_t now = now_ns(), ts0;
            if (!is_ours(in, n) || memcmp(in, src, 6) != 0) continue;
            memcpy(&ts0, in + TS_OFF, 8);
            if (got < total) { sent_at[got] = ts0 - start; rtt[got++] = now - ts0; }
        }
    }
    /* PXB_RTT_DUMP=FILE: every sample as "sent_offset_us rtt_us", to look for periodic stalls. */
    const char *dump = getenv("PXB_RTT_DUMP");
    if (dump) {
        FILE *f = fopen(dump, "w");
        if (f) { for (uint64_t i = 0; i < got; i++) fprintf(f, "%.1f %.1f\n", sent_at[i] / 1e3, rtt[i] / 1e3); fclose(f); }
    }
    qsort(rtt, got, sizeof *rtt, cmp_u64);
    double p50 = got ? rtt[got / 2] / 1e3 : -1, p99 = got ? rtt[(got * 99) / 100] / 1e3 : -1;
    printf("sent=%llu echoed=%llu p50_us=%.1f p99_us=%.1f max_us=%.1f\n", (unsigned long long)sent,
           (unsigned long long)got, p50, p99, got ? rtt[got - 1] / 1e3 : -1);
    return 0;
}

/* relay IF listen|connect PORT [CERT]: the smallest userspace PPPoE-over-TCP relay we can write (one
 * thread, poll on both sockets, a 2-byte length before each frame, TCP_NODELAY). Not a product: the
 * reference for what a userspace TCP hop costs on this machine, measured in the same run. With CERT,
 * TLS 1.3 through OpenSSL (mutual certificates, one record per frame as the proxy writes at light
 * load): what encryption adds to that hop here, with the proxy's own cipher (TLS_AES_256_GCM_SHA384). */
#ifdef PXB_TLS
static int accept_any(int ok, X509_STORE_CTX *ctx) { (void)ok; (void)ctx; return 1; } /* pinning costs per handshake, not per record */
static SSL *tls_start(int fd, const char *cert, int server) {
    char crt[512], key[512];
    snprintf(crt, sizeof crt, "%s.crt", cert);
    snprintf(key, sizeof key, "%s.key", cert);
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    if (SSL_CTX_use_certificate_file(ctx, crt, SSL_FILETYPE_PEM) != 1 || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        exit(2);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
    /* A read must return after a record that carries no data (else it blocks for the next one while a frame
     * waits to go the other way); and no session tickets, which are such records. */
    SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
    if (server) SSL_CTX_set_num_tickets(ctx, 0);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if ((server ? SSL_accept(ssl) : SSL_connect(ssl)) != 1) {
        ERR_print_errors_fp(stderr);
        exit(2);
    }
    return ssl;
}
#endif

static int cmd_relay(char **a, const char *cert) {
    int ifindex;
    int pfd = open_socket(a[0], &ifindex);
    struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC };
    setsockopt(pfd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(a[2])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int one = 1, tfd, server = !strcmp(a[1], "listen");
    if (server) {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(l, (struct sockaddr *)&addr, sizeof addr) || listen(l, 1)) die("listen");
        printf("ready\n");
        tfd = accept(l, NULL, NULL);
        close(l);
    } else {
        tfd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(tfd, (struct sockaddr *)&addr, sizeof addr)) die("connect");
    }
    if (tfd < 0) die("accept");
    setsockopt(tfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef PXB_TLS
    SSL *ssl = cert ? tls_start(tfd, cert, server) : NULL;
#define TUN_WRITE(b, n) (ssl ? SSL_write(ssl, b, n) : write(tfd, b, n))
#define TUN_READ(b, n) (ssl ? SSL_read(ssl, b, n) : read(tfd, b, n))
#define TUN_PENDING() (ssl ? SSL_pending(ssl) : 0)
#else
    if (cert) { fprintf(stderr, "built without TLS (-DPXB_TLS -lssl -lcrypto)\n"); exit(2); }
#define TUN_WRITE(b, n) write(tfd, b, n)
#define TUN_READ(b, n) read(tfd, b, n)
#define TUN_PENDING() 0
#endif
    struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
    static uint8_t out[2 + 2048], in[1 << 16];
    size_t have = 0;
    printf("connected\n");
    while (!stop_flag) {
        struct pollfd p[2] = { { .fd = pfd, .events = POLLIN }, { .fd = tfd, .events = POLLIN } };
        if (!TUN_PENDING() && poll(p, 2, 200) <= 0) continue;
        if (p[0].revents & POLLIN) {
            int n;
            while ((n = recv(pfd, out + 2, sizeof out - 2, MSG_DONTWAIT)) > 0) {
                out[0] = n >> 8; out[1] = n & 255;
                if (TUN_WRITE(out, n + 2) != n + 2) die("tcp write");
            }
        }
        if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) || TUN_PENDING()) {
            ssize_t n = TUN_READ(in + have, sizeof in - have);
#ifdef PXB_TLS
            if (n <= 0 && ssl && SSL_get_error(ssl, (int)n) == SSL_ERROR_WANT_READ) continue; /* a record without data */
#endif
            if (n <= 0) break;
            have += n;
            size_t off = 0;
            while (have - off >= 2) {
                size_t len = (in[off] << 8) | in[off + 1];
                if (have - off < 2 + len) break;
                memcpy(to.sll_addr, in + off + 2, 6);
                sendto(pfd, in + off + 2, len, 0, (struct sockaddr *)&to, sizeof to);
                off += 2 + len;
            }
            memmove(in, in + off, have - off);
            have -= off;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    prctl(PR_SET_TIMERSLACK, 1UL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 8 && !strcmp(argv[1], "gen")) return cmd_gen(argv + 2);
    if (argc >= 5 && !strcmp(argv[1], "sink")) return cmd_sink(argv + 2, argc >= 6 && !strcmp(argv[5], "reflect"));
    if (argc >= 7 && !strcmp(argv[1], "ping")) return cmd_ping(argv + 2);
    if (argc >= 5 && !strcmp(argv[1], "relay")) return cmd_relay(argv + 2, argc >= 6 ? argv[5] : NULL);
    fprintf(stderr, "usage: pxbench gen IF SRCMAC DSTMAC LEN RATE SECS | sink IF MAXSECS IDLEMS [reflect] | ping IF SRCMAC DSTMAC RATE SECS | relay IF listen|connect PORT [CERT]\n");
    return 2;
}
