/*
 * libsys's server side of the protocols of lib/proto/ (docs/protocols.md): one receive/reply
 * loop for every server, so each handles interrupted and failed receives, capabilities that
 * come with a request, notifications and fault messages the same way.
 *
 * A server describes itself in a struct server: its endpoint, a table of operations (label,
 * the words the request needs at least, a handler) and optional hooks. server_run receives a
 * message, checks it against the table (SERVICE_BAD_LABEL, SERVICE_BAD_LENGTH, SERVICE_DENIED
 * for an operation limited to one caller or to known clients, in that order), calls the
 * handler, and answers with the handler's status in the same system call that receives the
 * next message (SYS_REPLY_RECV). The client side of the same conventions is service.h.
 */
#ifndef MISSIVE_LIBSYS_SERVER_H
#define MISSIVE_LIBSYS_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "libsys/service.h"

struct mutex;

/* A handler's answer when no reply goes now: it saved the reply (CSPACE_SAVE_REPLY) to send
   later, or the caller is gone. */
#define SERVER_NO_REPLY (-1l)

struct server;

/* One message being served. */
struct server_call {
    struct server *server;
    uint64_t badge;          /* the sender's badge: its process id */
    void *client;            /* the server's record of the sender (server.find_client), or NULL */
    struct request in;       /* the request: label, length, words */
    struct request out;      /* the reply's words (its label is the handler's status). Words past
                                MR9 share the IPC buffer with the request's: read those first */
    uint64_t received;       /* the slot of a capability that came with it (0: none); a handler
                                that keeps it sets this to 0, else it is deleted after */
    unsigned received_count; /* capabilities that came, in received and the slots after it
                                (at most the server's receive_caps) */
    uint64_t reply_cap;      /* a slot whose capability goes with the reply (0: none); the slot is
                                emptied and given back (server.slot_free) after */
    uint64_t reply_cap2;     /* a second one, as capability 1, likewise: read only when
                                reply_cap is set (server_reply_caps sets both) */
};

/* Handles call; returns the reply's status (SERVICE_OK with the results in call->out, a
   SERVICE_* error, which carries no words unless it is SERVICE_BAD_ARGUMENT) or
   SERVER_NO_REPLY. */
typedef long (*server_handler)(struct server_call *call);

enum server_op_flags {
    SERVER_CLIENT_ONLY = 1, /* SERVICE_DENIED unless find_client knows the sender */
};

struct server_op {
    uint64_t label;
    unsigned min_length; /* words the request needs at least (else SERVICE_BAD_LENGTH) */
    uint64_t only_badge; /* if not 0, the one sender allowed (else SERVICE_DENIED) */
    unsigned flags;      /* enum server_op_flags */
    server_handler handle;
};

struct server {
    const char *name;  /* for its lines */
    uint64_t endpoint; /* the slot it receives on */
    /* A driver that takes no requests (kbd) waits on its notification instead: endpoint is
       then a Notification, every signal goes to the notification hook, nothing is answered,
       and ops may be empty. */
    bool endpoint_is_notification;
    uint64_t cspace; /* its own CSpace's slot (deleting what it does not keep) */
    const struct server_op *ops;
    unsigned op_count;
    void *context; /* the server's own state, for its handlers */
    /* Several threads serving one state (each its own struct server, block_server.h): held
       from each message's arrival until its answer goes out, over every hook, handler and slot
       allocation the loop makes. NULL: one thread, no lock. */
    struct mutex *mutex;
    /* Optional hooks (NULL: none). */
    /* The sender's record, looked up by badge before dispatch (call->client). */
    void *(*find_client)(struct server *s, uint64_t badge);
    /* The thread's bound notification fired with word (its badge). */
    void (*notification)(struct server *s, uint64_t word);
    /* The notification hook copes with any word. A client can reach it anyway: a SYS_SEND
       (no reply owed) labelled NOTIFICATION_LABEL arrives as a notification whose word is the
       client's badge. So the loop need not tell a real notification from a forged call with a
       SYS_REPLY of its own before the hook: it runs the hook and answers SERVICE_BAD_LABEL in
       the next receive (SYS_REPLY_RECV), which answers a forged call and, after a real
       notification, owes nobody and only receives. One system call less a notification (the
       block servers' interrupts, docs/disk-performance.md). */
    bool notification_any_word;
    /* With notification_any_word, instead of notification: the bound notification fired with
       word call->badge. Returns what answers the call the thread still owes, as a handler
       does (status, call->out): the kernel keeps one reply owed in the thread until it is
       answered or the next call arrives (which ends it with ERR_NO_REPLY, and request_call
       calls again), so a handler may leave its reply owed, unsaved (SERVER_NO_REPLY), and
       answer it here in the receive that follows: one system call for the answer and the
       next receive, and no CSPACE_SAVE_REPLY. SERVER_NO_REPLY keeps owing; SERVICE_BAD_LABEL
       when the hook owes nothing of its own (it answers a forged call). */
    long (*notification_answer)(struct server_call *call);
    /* A call reached server_dispatch (any label, well formed or not): the kernel has just
       ended whatever reply the thread still owed (notification_answer's), so the hook forgets
       it. Runs before the checks, because a malformed call ends that reply as well. */
    void (*call_arrived)(struct server *s);
    /* A fault message (FAULT_LABEL) of the thread call->badge names; returns a status as a
       handler does (0 resumes the thread, SERVER_NO_REPLY or another leaves it stopped). */
    long (*fault)(struct server_call *call);
    /* A receive failed with error (not ERR_INTERRUPTED, which is retried): true to go on
       receiving. NULL: the server exits with status 1. */
    bool (*receive_failed)(struct server *s, long error);
    /* Slots for capabilities that come with requests (NULL: the server accepts none), and
       where emptied ones go back. */
    /* Capabilities one request may bring (0 means 1). Above 1, slot_alloc must answer the
       first of that many consecutive empty slots, and a handler that keeps any moves them
       elsewhere (cspace_move): the loop empties them all after the handler. */
    unsigned receive_caps;
    uint64_t (*slot_alloc)(void);
    void (*slot_free)(uint64_t slot);
};

/* Serves s for ever. */
_Noreturn void server_run(struct server *s);

/* Checks call->in against s's table and the sender, then runs the handler; returns the
   status to reply with (or SERVER_NO_REPLY) and shapes call->out to it. No system calls
   besides what the handler makes: host tests run it. */
long server_dispatch(struct server *s, struct server_call *call);

/* Sets call's reply to SERVICE_BAD_ARGUMENT naming argument (its message register) and the
   range min..max allowed; returns SERVICE_BAD_ARGUMENT for the handler to return. */
long server_bad_argument(struct server_call *call, unsigned argument, uint64_t min, uint64_t max);

/* Sends the capability in slot with the reply (it is deleted and the slot freed after);
   returns SERVICE_OK. */
long server_reply_cap(struct server_call *call, uint64_t slot);

/* The same with two capabilities (capability 0 from first, 1 from second; second may be 0:
   then one goes). */
long server_reply_caps(struct server_call *call, uint64_t first, uint64_t second);

#endif
