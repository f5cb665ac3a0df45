/* Host tests of the wire side: CRC16, console framing (against hand-checked bytes), the CBOR
 * reader's bounds, and SMP dispatch (echo, parameters, errors, two requests in flight). */
#include <string.h>

#include "device_util.h"

/* {"d":"hello"} as an SMP v1 echo write, seq 0x42, framed: computed by hand from the format
 * (length 0x0013, CRC16/XMODEM 0x4619) and checked with Python's base64 module. */
static const uint8_t ECHO_FRAME[] = {
    0x06, 0x09, 'A', 'B', 'M', 'K', 'A', 'A', 'A', 'J', 'A', 'A', 'B', 'C', 'A', 'K', 'F', 'h',
    'Z', 'G', 'V', 'o', 'Z', 'W', 'x', 's', 'b', '0', 'Y', 'Z', '\n'};

static void test_crc16(void)
{
    CHECK_EQ(fwv_crc16_xmodem(0, (const uint8_t *)"123456789", 9), 0x31C3);
    CHECK_EQ(fwv_crc16_xmodem(0, NULL, 0), 0);
}

static void test_encode_known_frame(void)
{
    static const uint8_t payload[] = {0xA1, 0x61, 'd', 0x65, 'h', 'e', 'l', 'l', 'o'};
    uint8_t s[128];
    size_t n = frame_request(s, sizeof s, FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS, FWV_SMP_OS_ECHO, 0x42,
                             payload, sizeof payload);
    CHECK_EQ(n, sizeof ECHO_FRAME);
    CHECK(memcmp(s, ECHO_FRAME, sizeof ECHO_FRAME) == 0);
}

static void test_echo_known_frame(void)
{
    device_power_on();
    fwv_device_rx(ECHO_FRAME, sizeof ECHO_FRAME);
    CHECK_EQ(fwv_device_poll(), 1);
    smp_msg m[2];
    CHECK_EQ(take_responses(m, 2), 1);
    CHECK_EQ(m[0].msg[0], (1 << 3) | FWV_SMP_OP_WRITE_RSP);
    CHECK_EQ(m[0].msg[6], 0x42);
    cbor_item r;
    CHECK(rsp_get(&m[0], "r", &r) == 0 && r.major == CBOR_TSTR && r.arg == 5 &&
          memcmp(r.bytes, "hello", 5) == 0);
}

/* Lines of at most 127 bytes for a long response; multi-line requests decode; console noise
 * between packets is ignored; a bad CRC is dropped and counted. */
static void test_multiline_and_noise(void)
{
    device_power_on();
    char text[600];
    memset(text, 'x', sizeof text);
    req_builder b;
    req_begin(&b, 1);
    cbor_put_tstr(&b.w, "d");
    cbor_put_tstrn(&b.w, text, 200);
    uint8_t s[2048];
    const char noise[] = "boot log line\r\n";
    memcpy(s, noise, sizeof noise - 1);
    size_t n = sizeof noise - 1;
    n += frame_request(s + n, sizeof s - n, FWV_SMP_OP_WRITE, 0, 0, 7, b.buf, (size_t)cbor_writer_len(&b.w));
    fwv_device_rx(s, n);
    CHECK_EQ(fwv_device_poll(), 1);
    /* every output line: marker, <= 127 bytes with the newline */
    size_t start = 0, lines = 0, bad = 0;
    for (size_t i = 0; i < host_tx_len; i++) {
        if (host_tx[i] != '\n') continue;
        size_t len = i - start + 1;
        int first = host_tx[start] == 6 && host_tx[start + 1] == 9;
        int cont = host_tx[start] == 4 && host_tx[start + 1] == 20;
        if (len > 127 || !(first || cont) || (lines == 0) != first) bad++;
        lines++;
        start = i + 1;
    }
    CHECK(lines >= 3);
    CHECK_EQ(bad, 0);
    smp_msg m[2];
    CHECK_EQ(take_responses(m, 2), 1);
    cbor_item r;
    CHECK(rsp_get(&m[0], "r", &r) == 0 && r.arg == 200);

    /* corrupt one base64 character of the known frame: CRC or length check fails */
    uint8_t bad_frame[sizeof ECHO_FRAME];
    memcpy(bad_frame, ECHO_FRAME, sizeof bad_frame);
    bad_frame[20] = bad_frame[20] == 'A' ? 'B' : 'A';
    uint32_t before = fwv_stats.dropped;
    fwv_device_rx(bad_frame, sizeof bad_frame);
    CHECK_EQ(fwv_device_poll(), 0);
    CHECK_EQ(fwv_stats.dropped, before + 1);
    /* a continuation line with no packet started is ignored; the next good frame still works */
    static const uint8_t stray[] = {4, 20, 'A', 'A', 'A', 'A', '\n'};
    fwv_device_rx(stray, sizeof stray);
    fwv_device_rx(ECHO_FRAME, sizeof ECHO_FRAME);
    CHECK_EQ(fwv_device_poll(), 1);
    host_tx_clear();
}

/* Byte-at-a-time feeding (as the UART interrupt does) with two requests in flight before the
 * loop runs: both buffers fill, both are answered in order; a third is dropped. */
static void test_two_in_flight(void)
{
    device_power_on();
    uint8_t s[3][128];
    size_t n[3];
    static const uint8_t p[] = {0xA1, 0x61, 'd', 0x61, 'z'};
    for (int i = 0; i < 3; i++)
        n[i] = frame_request(s[i], sizeof s[i], FWV_SMP_OP_WRITE, 0, 0, (uint8_t)(10 + i), p, sizeof p);
    for (int i = 0; i < 2; i++)
        for (size_t k = 0; k < n[i]; k++) fwv_device_rx(&s[i][k], 1);
    fwv_device_rx(s[2], n[2]);
    CHECK_EQ(fwv_stats.dropped, 1);
    CHECK_EQ(fwv_device_poll(), 2);
    smp_msg m[3];
    CHECK_EQ(take_responses(m, 3), 2);
    CHECK_EQ(m[0].msg[6], 10);
    CHECK_EQ(m[1].msg[6], 11);
    /* the dropped one, resent, goes through */
    fwv_device_rx(s[2], n[2]);
    CHECK_EQ(fwv_device_poll(), 1);
    CHECK_EQ(take_responses(m, 3), 1);
    CHECK_EQ(m[0].msg[6], 12);
}

static void test_params_and_errors(void)
{
    device_power_on();
    smp_msg r;
    req_builder b;
    req_begin(&b, 0);
    CHECK(transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_OS, FWV_SMP_OS_MCUMGR_PARAMS, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "buf_size"), FWV_BUF_SIZE);
    CHECK_EQ(rsp_uint(&r, "buf_count"), FWV_BUF_COUNT);
    CHECK(FWV_BUF_COUNT >= 2);
    /* unknown command and group */
    CHECK(transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_OS, 99, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "rc"), FWV_SMP_ERR_ENOTSUP);
    CHECK(transact(FWV_SMP_OP_WRITE, 9, 0, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "rc"), FWV_SMP_ERR_ENOTSUP);
    /* echo without "d", and a payload that is not a map */
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS, FWV_SMP_OS_ECHO, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "rc"), FWV_SMP_ERR_EINVAL);
    req_builder a;
    cbor_writer_init(&a.w, a.buf, sizeof a.buf);
    cbor_put_uint(&a.w, 5);
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS, FWV_SMP_OS_ECHO, &a, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "rc"), FWV_SMP_ERR_EINVAL);
    /* a map claiming more pairs than bytes: refused, not read past the end */
    cbor_writer_init(&a.w, a.buf, sizeof a.buf);
    cbor_put_head(&a.w, CBOR_MAP, 1000);
    cbor_put_tstr(&a.w, "d");
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS, FWV_SMP_OS_ECHO, &a, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "rc"), FWV_SMP_ERR_EINVAL);
    /* signature with missing fields */
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_FWSIGN, FWV_SMP_FWSIGN_SIGNATURE, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "fwv"), FWV_ERR_ARG);
    CHECK_EQ(rsp_uint(&r, "rc"), FWV_SMP_ERR_EINVAL);
    /* reset answers first, then resets; boot_mode 1 asks the next boot to stay */
    req_begin(&b, 1);
    cbor_put_tstr(&b.w, "boot_mode");
    cbor_put_uint(&b.w, 1);
    host_reset_requested = 0;
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS, FWV_SMP_OS_RESET, &b, &r) == 0);
    CHECK(host_reset_requested);
    CHECK_EQ(port_boot_request_take(), FWV_BOOT_STAY);
}

/* Echo returns all it got (Zephyr has no 256-character cut); a request longer than buf_size is
 * answered MGMT_ERR_EMSGSIZE with its sequence number instead of being dropped in silence. */
static void test_echo_all_and_oversize(void)
{
    device_power_on();
    static char text[1200];
    memset(text, 'q', sizeof text);
    req_builder b;
    req_begin(&b, 1);
    cbor_put_tstr(&b.w, "d");
    cbor_put_tstrn(&b.w, text, 1000);
    smp_msg r;
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS, FWV_SMP_OS_ECHO, &b, &r) == 0);
    cbor_item it;
    CHECK(rsp_get(&r, "r", &it) == 0 && it.arg == 1000 && memcmp(it.bytes, text, 1000) == 0);

    static uint8_t payload[1400], stream[4096];
    cbor_writer w;
    cbor_writer_init(&w, payload, sizeof payload);
    cbor_put_head(&w, CBOR_MAP, 1);
    cbor_put_tstr(&w, "d");
    cbor_put_tstrn(&w, text, 1100);
    size_t n = frame_request(stream, sizeof stream, FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS,
                             FWV_SMP_OS_ECHO, 0x77, payload, (size_t)cbor_writer_len(&w));
    uint32_t dropped = fwv_stats.dropped;
    fwv_device_rx(stream, n);
    CHECK_EQ(fwv_device_poll(), 1);
    CHECK_EQ(fwv_stats.dropped, dropped);
    smp_msg m[2];
    CHECK_EQ(take_responses(m, 2), 1);
    CHECK_EQ(m[0].msg[6], 0x77);
    CHECK_EQ(rsp_uint(&m[0], "rc"), FWV_SMP_ERR_EMSGSIZE);
    /* the same frame damaged is still dropped, and the next request is answered */
    stream[40] = stream[40] == 'A' ? 'B' : 'A';
    fwv_device_rx(stream, n);
    CHECK_EQ(fwv_device_poll(), 0);
    CHECK_EQ(fwv_stats.dropped, dropped + 1);
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_OS, FWV_SMP_OS_ECHO, &b, &r) == 0);
}

/* Success in the OS and image groups carries no rc; fwsign's group keeps it, and SIGNATURE does
 * not claim "verified" before anything was. */
static void test_reply_shapes(void)
{
    device_power_on();
    smp_msg r;
    req_builder b;
    req_begin(&b, 0);
    CHECK(transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_IMAGE, FWV_SMP_IMAGE_STATE, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "rc"), -1);
    CHECK_EQ(rsp_uint(&r, "splitStatus"), 0);
    CHECK(transact(FWV_SMP_OP_READ, FWV_SMP_GROUP_FWSIGN, FWV_SMP_FWSIGN_STATUS, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "rc"), 0);
    static const uint8_t sig[8] = {0x30, 6, 2, 1, 1, 2, 1, 1};
    req_begin(&b, 3);
    cbor_put_tstr(&b.w, "alg");
    cbor_put_tstr(&b.w, "sig-sha256-ecdsa");
    cbor_put_tstr(&b.w, "sig");
    cbor_put_bstr(&b.w, sig, sizeof sig);
    cbor_put_tstr(&b.w, "certfile");
    cbor_put_tstr(&b.w, "ec1.crt");
    CHECK(transact(FWV_SMP_OP_WRITE, FWV_SMP_GROUP_FWSIGN, FWV_SMP_FWSIGN_SIGNATURE, &b, &r) == 0);
    CHECK_EQ(rsp_uint(&r, "fwv"), FWV_OK);
    cbor_item text;
    CHECK(rsp_get(&r, "text", &text) == 0 && text.major == CBOR_TSTR);
    CHECK(text.arg != 8 || memcmp(text.bytes, "verified", 8) != 0);
}

static void test_cbor_bounds(void)
{
    cbor_reader r;
    cbor_item it;
    static const uint8_t trunc_str[] = {0x65, 'a', 'b'};           /* tstr(5), 2 bytes present */
    cbor_reader_init(&r, trunc_str, sizeof trunc_str);
    CHECK(cbor_read(&r, &it) == -1);
    static const uint8_t trunc_len[] = {0x1A, 0, 0};                /* uint32 cut short */
    cbor_reader_init(&r, trunc_len, sizeof trunc_len);
    CHECK(cbor_read(&r, &it) == -1);
    static const uint8_t u64[] = {0x1B, 0, 0, 0, 0, 0, 0, 0, 1};  /* 64-bit: refused */
    cbor_reader_init(&r, u64, sizeof u64);
    CHECK(cbor_read(&r, &it) == -1);
    static const uint8_t indef[] = {0x9F, 0x01, 0xFF};             /* indefinite array */
    cbor_reader_init(&r, indef, sizeof indef);
    CHECK(cbor_read(&r, &it) == -1);
    uint8_t deep[64];
    memset(deep, 0x81, sizeof deep);                               /* [[[[...]]]] too deep */
    cbor_reader_init(&r, deep, sizeof deep);
    CHECK(cbor_read(&r, &it) == 0 && cbor_skip_contents(&r, &it) == -1);
    static const uint8_t ok[] = {0xA2, 0x61, 'a', 0x82, 0x01, 0x41, 0x00, 0x61, 'b', 0xF5};
    cbor_reader_init(&r, ok, sizeof ok);
    cbor_item k, v;
    CHECK(cbor_read(&r, &it) == 0 && it.major == CBOR_MAP && it.arg == 2);
    CHECK(cbor_read(&r, &k) == 0 && cbor_read(&r, &v) == 0 && cbor_skip_contents(&r, &v) == 0);
    CHECK(cbor_read(&r, &k) == 0 && cbor_tstr_eq(&k, "b") && cbor_read(&r, &v) == 0 &&
          cbor_item_is_true(&v));
    CHECK(r.p == r.end);
    /* writer: overflow is sticky and reported */
    uint8_t small[4];
    cbor_writer w;
    cbor_writer_init(&w, small, sizeof small);
    cbor_put_tstr(&w, "hello");
    CHECK_EQ(cbor_writer_len(&w), -1);
    cbor_writer_init(&w, small, sizeof small);
    cbor_put_int(&w, -500);
    CHECK_EQ(cbor_writer_len(&w), 3);
    CHECK(small[0] == 0x39 && small[1] == 0x01 && small[2] == 0xF3);
}

int main(void)
{
    host_port_init();
    test_crc16();
    test_encode_known_frame();
    test_echo_known_frame();
    test_multiline_and_noise();
    test_two_in_flight();
    test_params_and_errors();
    test_echo_all_and_oversize();
    test_reply_shapes();
    test_cbor_bounds();
    return t_report();
}
