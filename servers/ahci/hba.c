/*
 * The controller at start-up (AHCI 1.3.1 sections 10.1-10.6): BIOS/OS handoff, HBA reset,
 * AHCI mode, then every implemented port: COMRESET, spin-up, the device's signature (ATAPI,
 * enclosure and port-multiplier ports are skipped), IDENTIFY. The only place the driver waits
 * (PROC_SLEEP, each wait bounded): nothing is served yet.
 */
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"
#include "libsys/service.h"

#define HANDOFF_MS   25   /* the BIOS must let go of BOS within 25 ms (AHCI 10.6.3) */
#define BIOS_BUSY_MS 2000 /* and finish what it was doing within 2 s */
#define RESET_MS     1000 /* GHC.HR clears within 1 s (AHCI 10.4.3) */
#define COMRESET_MS  10   /* DET=1 held at least 1 ms (SATA); 10 for the clock's resolution */
#define LINK_MS      1000 /* the link comes up after COMRESET */
#define STOP_MS      500  /* PxCMD.CR and FR clear within 500 ms (AHCI 10.1.2) */
#define POLL_MS      10

struct ahci_hba ahci_hba;

/* Waits until (read(p, offset) & mask) == want, sleeping POLL_MS between looks, at most ms;
   returns whether it came. p NULL: a generic register. */
static bool wait_register(struct ahci_port *p, unsigned offset, uint32_t mask, uint32_t want,
                          unsigned ms)
{
    for (unsigned waited = 0;; waited += POLL_MS) {
        uint32_t v = p ? port_read(p, offset) : hba_read(offset);
        if ((v & mask) == want)
            return true;
        if (waited >= ms)
            return false;
        proc_sleep_ms(POLL_MS);
    }
}

/* BIOS/OS handoff (AHCI 10.6.3): asks for ownership and waits for the firmware to let go. */
static void take_from_bios(void)
{
    if (!(hba_read(AHCI_CAP2) & AHCI_CAP2_BOH))
        return;
    hba_write(AHCI_BOHC, hba_read(AHCI_BOHC) | AHCI_BOHC_OOS);
    if (!wait_register(NULL, AHCI_BOHC, AHCI_BOHC_BOS, 0, HANDOFF_MS))
        printf("ahci: warning: the BIOS kept the controller after %u ms; taking it\n", HANDOFF_MS);
    if (hba_read(AHCI_BOHC) & AHCI_BOHC_BB)
        wait_register(NULL, AHCI_BOHC, AHCI_BOHC_BB, 0, BIOS_BUSY_MS);
}

/* Stops a port's command and FIS engines (AHCI 10.1.2); false if they would not stop. */
static bool stop_engines(struct ahci_port *p)
{
    uint32_t cmd = port_read(p, AHCI_PX_CMD);
    port_write(p, AHCI_PX_CMD, cmd & ~AHCI_PX_CMD_ST);
    if (!wait_register(p, AHCI_PX_CMD, AHCI_PX_CMD_CR, 0, STOP_MS))
        return false;
    port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) & ~AHCI_PX_CMD_FRE);
    return wait_register(p, AHCI_PX_CMD, AHCI_PX_CMD_FR, 0, STOP_MS);
}

/* A port's name in lines: its number, and the disk's model once known. */
static void port_line(const struct ahci_port *p, const char *what)
{
    printf("ahci: port %u: %s\n", p->index, what);
}

/* Whether any port stopped shows a device (PxSSTS.DET not 0). */
static bool any_device(struct ahci_port *ports, const bool *stopped)
{
    for (unsigned n = 0; n < AHCI_MAX_PORTS; n++)
        if (stopped[n] && AHCI_SSTS_DET(port_read(&ports[n], AHCI_PX_SSTS)) != 0)
            return true;
    return false;
}

static struct ahci_port ports[AHCI_MAX_PORTS];

void hba_prepare(volatile uint32_t *abar)
{
    uint32_t implemented = abar[AHCI_PI / 4];
    for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
        struct ahci_port *p = &ports[n];
        if (!(implemented & (1u << n)))
            continue;
        p->index = n;
        p->regs = abar + AHCI_PORT(n) / 4;
        if (AHCI_SSTS_DET(port_read(p, AHCI_PX_SSTS)) != AHCI_SSTS_DET_READY)
            continue;
        p->seen_sig = port_read(p, AHCI_PX_SIG);
        if (p->seen_sig == AHCI_SIG_ATA)
            port_dma(p); /* if memsrv gives none now, port_bring_up asks again */
    }
}

const char *hba_start(volatile uint32_t *abar, bool quiet)
{
    ahci_hba.regs = abar;
    take_from_bios();
    /* AE first: an HBA that supports legacy mode ignores HR until it is in AHCI mode. */
    hba_write(AHCI_GHC, hba_read(AHCI_GHC) | AHCI_GHC_AE);
    hba_write(AHCI_GHC, hba_read(AHCI_GHC) | AHCI_GHC_HR);
    if (!wait_register(NULL, AHCI_GHC, AHCI_GHC_HR, 0, RESET_MS))
        return "the controller did not finish its reset in 1 s";
    ahci_hba.resets++;
    hba_write(AHCI_GHC, hba_read(AHCI_GHC) | AHCI_GHC_AE);
    ahci_hba.cap = hba_read(AHCI_CAP);
    ahci_hba.slots = AHCI_CAP_NCS(ahci_hba.cap);
    uint32_t implemented = hba_read(AHCI_PI);
    uint32_t version = hba_read(AHCI_VS);
    if (!quiet)
        printf("ahci: AHCI %x.%x%x, %u ports (implemented 0x%x), %u command slots%s%s\n",
               version >> 16, (version >> 8) & 0xff, version & 0xff, AHCI_CAP_NP(ahci_hba.cap) + 1,
               implemented, ahci_hba.slots, ahci_hba.cap & AHCI_CAP_SNCQ ? ", NCQ" : "",
               ahci_hba.cap & AHCI_CAP_S64A ? ", 64-bit" : "");

    /* Every implemented port stopped (and, with staggered spin-up, spun up and COMRESET) at
       once, so the waits overlap. Without staggered spin-up the HBA reset above sent every
       port a COMRESET itself (AHCI 10.4.3), so the driver sends none and does not wait the
       milliseconds one takes: a driver swapped or restarted is serving again sooner (the
       swap pause, docs/disk-performance.md). */
    bool stopped[AHCI_MAX_PORTS] = {false}, staggered = (ahci_hba.cap & AHCI_CAP_SSS) != 0;
    for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
        if (!(implemented & (1u << n)))
            continue;
        struct ahci_port *p = &ports[n];
        p->index = n;
        p->regs = abar + AHCI_PORT(n) / 4;
        if (quiet && p->seen_sig == AHCI_SIG_ATAPI)
            continue; /* no disk (the first start said so): not stopped, no DMA memory */
        stopped[n] = stop_engines(p);
        if (!stopped[n]) {
            /* hba_prepare's DMA memory (if any) goes back: the port never saw it (its CLB and
               FB are the earlier driver's until port_bring_up). */
            port_dma_drop(p);
            port_line(p, "its engines would not stop; skipped");
            continue;
        }
        if (!staggered)
            continue;
        port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) | AHCI_PX_CMD_SUD);
        port_write(p, AHCI_PX_SCTL, (port_read(p, AHCI_PX_SCTL) & ~0xfu) | AHCI_SCTL_DET_RESET);
    }
    if (staggered) {
        proc_sleep_ms(COMRESET_MS);
        for (unsigned n = 0; n < AHCI_MAX_PORTS; n++)
            if (stopped[n])
                port_write(&ports[n], AHCI_PX_SCTL, port_read(&ports[n], AHCI_PX_SCTL) & ~0xfu);
    }
    /* A device answers COMRESET with DET 1 at once and 3 once the link is up. An empty port
       stays at 0: it is not waited for, unless no port shows a device yet (the COMRESET may
       still be on its way): then once, COMRESET_MS later, they are all looked at again. */
    if (staggered || !any_device(ports, stopped))
        proc_sleep_ms(COMRESET_MS);
    unsigned found = 0;
    for (unsigned n = 0; n < AHCI_MAX_PORTS; n++) {
        if (!stopped[n])
            continue;
        struct ahci_port *p = &ports[n];
        uint32_t det = AHCI_SSTS_DET(port_read(p, AHCI_PX_SSTS));
        if (det == 0) {
            port_dma_drop(p); /* gone since hba_prepare saw it: its memory goes back */
            continue;         /* empty: nothing to say */
        }
        if (!wait_register(p, AHCI_PX_SSTS, 0xf, AHCI_SSTS_DET_READY, LINK_MS)) {
            port_dma_drop(p); /* never given to the port: it goes back */
            port_line(p, "a device is there but its link does not come up; skipped");
            continue;
        }
        const char *why = port_bring_up(p);
        if (why && quiet && port_read(p, AHCI_PX_SIG) == AHCI_SIG_ATAPI)
            continue; /* said at the first start: no disk, nothing wrong */
        if (why) {
            char line[160];
            snprintf(line, sizeof line, "%s; skipped", why);
            port_line(p, line);
            continue;
        }
        p->disk = found;
        ahci_hba.ports[found++] = p;
        if (quiet)
            continue;
        char queue[16] = "no NCQ";
        if (p->mode.ncq)
            snprintf(queue, sizeof queue, "NCQ %u", p->depth);
        printf("ahci: port %u: %s, serial %s, %llu sector%s of %u bytes, %s%s\n", n,
               p->id.model[0] ? p->id.model : "(no model)",
               p->id.serial[0] ? p->id.serial : "(none)", (unsigned long long)p->id.sectors,
               p->id.sectors == 1 ? "" : "s", p->id.sector_size, queue,
               p->id.write_cache ? ", write cache" : "");
    }
    ahci_hba.port_count = found;
    hba_write(AHCI_IS, ~0u);
    hba_write(AHCI_GHC, hba_read(AHCI_GHC) | AHCI_GHC_IE);
    return NULL;
}
