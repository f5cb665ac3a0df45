/* Installs and the boot decision: the copy of a journalled install, the test swap through the
 * scratch sector, the revert of an image that was not confirmed (slots.h describes the staging
 * trailer sector and its swap log). Every step is redone safely after a power cut: a copy or a
 * swap step only reads flash no earlier step has overwritten, and a step is logged only after it
 * completed. */
#include <string.h>

#include "port.h"
#include "slots.h"

#ifndef FWV_COPY_CHUNK
#define FWV_COPY_CHUNK 256u /* bytes per read/write while copying a slot */
#endif

/* A log byte: written (any bits cleared, even by a torn write) once its step completed. */
static int logged(uint32_t addr)
{
    uint8_t b = 0xFF;
    return port_flash_read(addr, &b, 1) == 0 && b != 0xFF;
}

static int log_step(uint32_t addr)
{
    static const uint8_t zero = 0;
    return port_flash_write(addr, &zero, 1);
}

/* Copies len bytes from src to dst; dst starts a sector (writes never cross one). */
static int copy(uint32_t dst, uint32_t src, uint32_t len)
{
    uint8_t buf[FWV_COPY_CHUNK];
    for (uint32_t off = 0; off < len; off += FWV_COPY_CHUNK) {
        uint32_t k = len - off < FWV_COPY_CHUNK ? len - off : FWV_COPY_CHUNK;
        if (port_flash_read(src + off, buf, k) != 0 || port_flash_write(dst + off, buf, k) != 0)
            return -1;
    }
    return 0;
}

/* The bytes of a len-byte image that fall in sector i. */
static uint32_t in_sector(uint32_t len, uint32_t i, uint32_t sector)
{
    if (len <= i * sector) return 0;
    return len - i * sector < sector ? len - i * sector : sector;
}

fwv_result fwv_finish_copy(const fwv_trailer *pending)
{
    const fwv_layout *l = port_layout();
    /* The old image stops being bootable here; the new one is safe in staging. */
    if (port_flash_erase(fwv_trailer_addr(l->active)) != 0) return FWV_ERR_FLASH;
    for (uint32_t i = 0; i * l->sector_size < pending->len; i++) {
        uint32_t at = i * l->sector_size;
        if (port_flash_erase(l->active + at) != 0 ||
            copy(l->active + at, l->staging + pending->src_off + at,
                 in_sector(pending->len, i, l->sector_size)) != 0)
            return FWV_ERR_FLASH;
    }
    fwv_trailer t = *pending;
    t.state = TRAILER_ACTIVE;
    t.src_off = 0;
    if (fwv_trailer_write(l->active, &t) != 0) return FWV_ERR_FLASH;
    /* Journal done: the staging slot is free again. */
    if (port_flash_erase(fwv_trailer_addr(l->staging)) != 0) return FWV_ERR_FLASH;
    return FWV_OK;
}

/* ---- test swap ---- */

typedef struct {
    uint32_t log;       /* the swap log's address */
    uint32_t old_len;   /* the previous image's length, 0 when there was none */
    uint32_t sectors;   /* sectors swapped: as many as the longer image needs */
    int has_old;
    fwv_trailer old;    /* the previous image's record, when has_old */
} swap_plan;

/* What the staging trailer sector says about the swap of `tested` (its SWAP_PENDING record). */
static void plan_swap(const fwv_trailer *tested, swap_plan *p)
{
    const fwv_layout *l = port_layout();
    uint32_t sec = fwv_trailer_addr(l->staging);
    p->log = sec + FWV_SWAP_LOG_OFFSET;
    p->has_old = fwv_record_read(sec + FWV_PREVIOUS_OFFSET, &p->old) == 0;
    p->old_len = p->has_old ? p->old.len : 0;
    uint32_t longer = tested->len > p->old_len ? tested->len : p->old_len;
    p->sectors = (longer + l->sector_size - 1) / l->sector_size;
}

/* The log byte of step k (0..2) of sector i, and the one saying the swap is complete. */
static uint32_t step_addr(const swap_plan *p, uint32_t i, uint32_t k) { return p->log + 1 + 3 * i + k; }
static uint32_t done_addr(const swap_plan *p) { return step_addr(p, p->sectors, 0); }

/* One step of sector i: park the old sector in scratch; write the new one over it (from the
 * staging slot, shifted by the tested image's header, reading staging sectors i and i+1, which
 * no step has overwritten yet); put the parked old sector into staging sector i. */
static int swap_step(const swap_plan *p, const fwv_trailer *tested, uint32_t i, uint32_t k)
{
    const fwv_layout *l = port_layout();
    uint32_t at = i * l->sector_size;
    uint32_t old_n = in_sector(p->old_len, i, l->sector_size);
    switch (k) {
    case 0:
        if (old_n == 0) return 0;
        return port_flash_erase(l->scratch) != 0 ? -1 : copy(l->scratch, l->active + at, old_n);
    case 1:
        if (port_flash_erase(l->active + at) != 0) return -1;
        return copy(l->active + at, l->staging + tested->src_off + at,
                    in_sector(tested->len, i, l->sector_size));
    default:
        if (port_flash_erase(l->staging + at) != 0) return -1;
        return copy(l->staging + at, l->scratch, old_n);
    }
}

/* Starts or resumes the swap; at its end the active trailer names the tested image, not
 * confirmed. */
static fwv_result run_swap(const fwv_trailer *tested)
{
    const fwv_layout *l = port_layout();
    uint32_t sec = fwv_trailer_addr(l->staging);
    swap_plan p;
    if (!logged(sec + FWV_SWAP_LOG_OFFSET)) {
        /* Keep the running image's record first: the active trailer is rewritten at the end. */
        fwv_trailer a;
        if (fwv_trailer_read(l->active, &a) == 0 && a.state == TRAILER_ACTIVE) {
            a.flags |= TRAILER_F_PERMANENT; /* what a revert returns to stays */
            if (fwv_record_write(sec + FWV_PREVIOUS_OFFSET, &a) != 0) return FWV_ERR_FLASH;
        }
        if (log_step(sec + FWV_SWAP_LOG_OFFSET) != 0) return FWV_ERR_FLASH;
    }
    plan_swap(tested, &p);
    for (uint32_t i = 0; i < p.sectors; i++)
        for (uint32_t k = 0; k < 3; k++)
            if (!logged(step_addr(&p, i, k)) &&
                (swap_step(&p, tested, i, k) != 0 || log_step(step_addr(&p, i, k)) != 0))
                return FWV_ERR_FLASH;
    if (!logged(done_addr(&p))) {
        fwv_trailer t = *tested;
        t.state = TRAILER_ACTIVE;
        t.src_off = 0;
        if (fwv_trailer_write(l->active, &t) != 0 || log_step(done_addr(&p)) != 0)
            return FWV_ERR_FLASH;
    }
    return FWV_OK;
}

/* The staging trailer's SWAP_PENDING record, and how far its swap got: 0 not started, 1 under
 * way, 2 complete. -1 when the staging slot holds no test swap. */
static int swap_progress(fwv_trailer *tested, swap_plan *p)
{
    const fwv_layout *l = port_layout();
    if (fwv_trailer_read(l->staging, tested) != 0 || tested->state != TRAILER_SWAP_PENDING) return -1;
    if (!logged(fwv_trailer_addr(l->staging) + FWV_SWAP_LOG_OFFSET)) return 0;
    plan_swap(tested, p);
    return logged(done_addr(p)) ? 2 : 1;
}

int fwv_previous_image(fwv_trailer *prev)
{
    fwv_trailer t;
    swap_plan p;
    if (swap_progress(&t, &p) != 2 || !p.has_old) return 0;
    *prev = p.old;
    return 1;
}

int fwv_on_trial(void)
{
    fwv_trailer t;
    swap_plan p;
    if (swap_progress(&t, &p) < 1) return 0;
    return fwv_trailer_read(port_layout()->active, &t) != 0 || !fwv_active_confirmed(&t);
}

/* Back to the previous image (a copy, restartable), or to none when there was none. */
static fwv_result revert(const swap_plan *p)
{
    const fwv_layout *l = port_layout();
    if (p->has_old) return fwv_finish_copy(&p->old);
    if (port_flash_erase(fwv_trailer_addr(l->active)) != 0 ||
        port_flash_erase(fwv_trailer_addr(l->staging)) != 0)
        return FWV_ERR_FLASH;
    return FWV_OK;
}

/* ---- the boot decision ---- */

fwv_result fwv_boot_check(void)
{
    const fwv_layout *l = port_layout();
    fwv_trailer t;
    swap_plan p;
    int progress = swap_progress(&t, &p);
    if (progress < 0 && fwv_trailer_read(l->staging, &t) == 0 && t.state == TRAILER_COPY_PENDING) {
        /* A mark-bootable was cut short, or an image confirm asked for this install: the
         * journalled image verified before the journal was written; check again (flash may
         * have changed) and finish the copy. */
        if (fwv_verify_slot(l->staging + t.src_off, &t) == FWV_OK) {
            fwv_result r = fwv_finish_copy(&t);
            if (r != FWV_OK) return r;
        } else if (port_flash_erase(fwv_trailer_addr(l->staging)) != 0) {
            return FWV_ERR_FLASH;
        }
    } else if (progress == 0 && fwv_verify_slot(l->staging + t.src_off, &t) != FWV_OK) {
        /* Tested, then changed in flash before the swap started: forget it. */
        if (port_flash_erase(fwv_trailer_addr(l->staging)) != 0) return FWV_ERR_FLASH;
    } else if (progress == 0 || progress == 1) {
        /* This boot is the tested image's one boot. */
        fwv_result r = run_swap(&t);
        if (r != FWV_OK) return r;
    } else if (progress == 2) {
        fwv_trailer a;
        /* The tested image had its boot: it stays only if it confirmed itself. A revert cut
         * short left the active trailer erased, or names the previous image, confirmed. */
        if (fwv_trailer_read(l->active, &a) != 0 || !fwv_active_confirmed(&a)) {
            fwv_result r = revert(&p);
            if (r != FWV_OK) return r;
        }
    }
    if (fwv_trailer_read(l->active, &t) != 0 || t.state != TRAILER_ACTIVE) return FWV_ERR_NO_IMAGE;
    fwv_result r = fwv_verify_slot(l->active, &t);
    return r == FWV_OK ? fwv_check_vectors(l->active, t.len) : r;
}
