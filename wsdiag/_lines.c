/* The fast path's line filter in C: which lines of a chunk may matter.
 *
 * wsdiag/linefilter.py builds the same decision as two regex passes (an "odd line" pass and a
 * `#N` pass); each costs the regex engine a few hundred nanoseconds per line, and a DEBUG log is
 * nearly all lines that matter to nobody. A Filter makes the decision in one pass at memchr
 * speed. It is optional: without it (no compiler at install time) the regexes decide.
 *
 * Nothing here knows a template, a timestamp or a wrapper: a Filter is built from byte patterns
 * (lists of literals, and "shapes": small programs of literals, byte-class runs and optional
 * parts, see wsdiag/shapes.py) that linefilter.py derives from the template table and the
 * stamp specs. This file knows only how a miner record is laid out:
 *
 *     [wrapper] stamp " - " [level " - " [module " - "] "[" func "]: "] message
 *
 * Contract: a Filter returns exactly the lines the regexes built from the same patterns find;
 * tests/test_lines.py holds the two equal, line by line. Returning a line needlessly would cost
 * time, never a wrong count (scan.py reads it like the reference path does); skipping one could
 * be wrong.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#define HAVE_MAP_GUARD 1
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef const unsigned char *cp;

#define IS_DIGIT(c) ((unsigned char)((c) - '0') < 10)
#define IS_ALNUM(c) (IS_DIGIT(c) || (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z'))
#define IS_ALPHA_(c) ((((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z') || (c) == '_')
#define IS_MODULE(c) (IS_ALNUM(c) || (c) == '_' || (c) == '.')
#define BIT(map, c) ((map)[(c) >> 3] & (1u << ((c) & 7)))

static int
starts(cp p, cp q, const char *lit, Py_ssize_t n)
{
    return q - p >= n && memcmp(p, lit, (size_t)n) == 0;
}

#define STARTS(p, q, lit) starts((p), (q), (lit), (Py_ssize_t)(sizeof(lit) - 1))

/* -- shapes ------------------------------------------------------------------------------ */

enum { OP_END, OP_LIT, OP_RUN, OP_OPT, OP_EOL, OP_ALT };

/* p[0:n] == lit[0:n] (n >= 1): short literals (the usual ones) in one or two word compares. */
static inline int
lit_eq(cp p, cp lit, size_t n)
{
    if (p[0] != lit[0])
        return 0;
    if (n >= 8 && n <= 16) {
        uint64_t a, b, c, d;
        memcpy(&a, p, 8);
        memcpy(&b, lit, 8);
        memcpy(&c, p + n - 8, 8);
        memcpy(&d, lit + n - 8, 8);
        return a == b && c == d;
    }
    if (n >= 4 && n < 8) {
        uint32_t a, b, c, d;
        memcpy(&a, p, 4);
        memcpy(&b, lit, 4);
        memcpy(&c, p + n - 4, 4);
        memcpy(&d, lit + n - 4, 4);
        return a == b && c == d;
    }
    if (n < 4)
        return n == 1 || (p[1] == lit[1] && (n == 2 || p[2] == lit[2]));
    return memcmp(p + 1, lit + 1, n - 1) == 0;
}

static unsigned
u16(cp p)
{
    return (unsigned)p[0] | ((unsigned)p[1] << 8);
}

/* A program compiled for running: one struct per step, nothing left to decode. */
enum { K_END, K_LIT, K_BYTE, K_RUN, K_OPT, K_EOL, K_ALT, K_FIXED };

typedef struct Op {
    unsigned char kind, byte; /* K_BYTE: an optional single byte */
    unsigned lo, hi, n; /* K_RUN: counts; K_LIT, K_FIXED: length; K_ALT: branches */
    cp data; /* K_LIT: the bytes */
    unsigned char *in; /* K_RUN: 1 for each byte of the class; K_FIXED: 256 such per position */
    struct Op *sub; /* K_OPT: the optional steps (ending in K_END) */
    struct Op **alts; /* K_ALT: the branches */
    int *first; /* K_ALT: the byte each branch must start with, or -1 */
    signed char *pick; /* K_ALT whose branches start with distinct bytes: the branch by byte */
} Op;

static void
ops_free(Op *ops)
{
    if (ops == NULL)
        return;
    for (Op *o = ops; o->kind != K_END; o++) {
        if (o->kind == K_OPT)
            ops_free(o->sub);
        if (o->kind == K_ALT) {
            for (unsigned i = 0; o->alts != NULL && i < o->n; i++)
                ops_free(o->alts[i]);
            PyMem_Free(o->alts);
            PyMem_Free(o->first);
            PyMem_Free(o->pick);
        }
        PyMem_Free(o->in);
    }
    PyMem_Free(ops);
}

/* The length of a valid program's step at op. */
static Py_ssize_t
step_len(cp op)
{
    switch (*op) {
    case OP_LIT:
    case OP_OPT:
        return 3 + u16(op + 1);
    case OP_RUN:
        return 5 + 32;
    case OP_ALT: {
        cp o = op + 3;
        for (unsigned i = 0; i < u16(op + 1); i++)
            o += 2 + u16(o);
        return o - op;
    }
    default:
        return 1;
    }
}

/* The ops of a valid program (see valid_shape); NULL when out of memory. */
static Op *
ops_of(cp op)
{
    Py_ssize_t n = 1;
    for (cp o = op; *o != OP_END; n++)
        o += step_len(o);
    Op *out = PyMem_Calloc((size_t)n, sizeof(Op)), *w = out;
    if (out == NULL)
        return NULL;
    for (; *op != OP_END; w++) {
        /* Steps of fixed width (literals, runs of one count) one after the other, two or more
         * with a run among them: one step checking a table per position (a date, a clock). */
        unsigned width = 0, steps = 0, runs = 0;
        for (cp o = op; (*o == OP_LIT || (*o == OP_RUN && u16(o + 1) == u16(o + 3) && u16(o + 1) > 0)); o += step_len(o)) {
            width += *o == OP_LIT ? u16(o + 1) : u16(o + 1);
            steps++;
            runs += *o == OP_RUN;
        }
        if (steps >= 2 && runs && width <= 256) {
            w->kind = K_FIXED;
            w->n = width;
            w->in = PyMem_Calloc(width, 256);
            if (w->in == NULL)
                goto nomem;
            unsigned at = 0;
            for (; steps; steps--, op += step_len(op)) {
                if (*op == OP_LIT)
                    for (unsigned i = 0; i < u16(op + 1); i++, at++)
                        w->in[256 * at + op[3 + i]] = 1;
                else
                    for (unsigned i = 0; i < u16(op + 1); i++, at++)
                        for (int c = 0; c < 256; c++)
                            w->in[256 * at + c] = BIT(op + 5, c) ? 1 : 0;
            }
            continue;
        }
        switch (*op) {
        case OP_LIT:
            w->kind = K_LIT;
            w->n = u16(op + 1);
            w->data = op + 3;
            op += 3 + w->n;
            break;
        case OP_RUN: {
            w->lo = u16(op + 1);
            w->hi = u16(op + 3);
            int members = 0, last = 0;
            for (int c = 0; c < 256; c++)
                if (BIT(op + 5, c)) {
                    members++;
                    last = c;
                }
            w->kind = members == 1 && w->lo == 0 && w->hi == 1 ? K_BYTE : K_RUN;
            w->byte = (unsigned char)last;
            if (w->kind == K_RUN) {
                w->in = PyMem_Malloc(256);
                if (w->in == NULL)
                    goto nomem;
                for (int c = 0; c < 256; c++)
                    w->in[c] = BIT(op + 5, c) ? 1 : 0;
            }
            op += 5 + 32;
            break;
        }
        case OP_ALT: {
            w->kind = K_ALT;
            w->n = u16(op + 1);
            w->alts = PyMem_Calloc(w->n + 1, sizeof(Op *));
            w->first = PyMem_Calloc(w->n + 1, sizeof(int));
            if (w->alts == NULL || w->first == NULL)
                goto nomem;
            cp b = op + 3;
            for (unsigned i = 0; i < w->n; i++) {
                w->alts[i] = ops_of(b + 2);
                if (w->alts[i] == NULL)
                    goto nomem;
                w->first[i] = w->alts[i]->kind == K_LIT ? w->alts[i]->data[0] : -1;
                b += 2 + u16(b);
            }
            if (w->n <= 127) { /* a branch table, if each branch starts with a byte of its own */
                w->pick = PyMem_Malloc(256);
                if (w->pick == NULL)
                    goto nomem;
                memset(w->pick, -1, 256);
                for (unsigned i = 0; i < w->n && w->pick != NULL; i++)
                    if (w->first[i] < 0 || w->pick[w->first[i]] >= 0) {
                        PyMem_Free(w->pick);
                        w->pick = NULL;
                    }
                    else
                        w->pick[w->first[i]] = (signed char)i;
            }
            op = b;
            break;
        }
        case OP_OPT:
            w->kind = K_OPT;
            w->sub = ops_of(op + 3);
            if (w->sub == NULL)
                goto nomem;
            op += 3 + u16(op + 1);
            break;
        default: /* OP_EOL */
            w->kind = K_EOL;
            op++;
        }
    }
    w->kind = K_END;
    return out;
nomem:
    w[1].kind = K_END; /* free what was built, this step included */
    ops_free(out);
    return NULL;
}

/* Where a match of the shape at p ends (q: the line's end), or NULL. Greedy and without
 * backing up, which shapes.py guarantees is the regex's only match. */
static cp
run_shape(const Op *op, cp p, cp q)
{
#if defined(__GNUC__)
    /* Each step jumps to the next one's code from its own place: the jumps are predicted far
     * better than one shared switch. */
    static const void *const code[] = {&&end, &&lit, &&byte, &&run, &&opt, &&eol, &&alt, &&fixed};
#define NEXT goto *code[op->kind]
#define CASE(kind, label) label:
    NEXT;
#else
#define NEXT continue
#define CASE(kind, label) case kind:
    for (;;)
        switch (op->kind) {
#endif
    CASE(K_END, end)
        return p;
    CASE(K_LIT, lit)
        if ((size_t)(q - p) < op->n || !lit_eq(p, op->data, op->n))
            return NULL;
        p += op->n;
        op++;
        NEXT;
    CASE(K_BYTE, byte)
        p += p < q && *p == op->byte;
        op++;
        NEXT;
    CASE(K_RUN, run) {
        cp s = p, e = (size_t)(q - p) > op->hi ? p + op->hi : q;
        while (p < e && op->in[*p])
            p++;
        if ((unsigned)(p - s) < op->lo)
            return NULL;
        op++;
        NEXT;
    }
    CASE(K_OPT, opt) {
        /* Most optional parts are absent: look at their first byte before going in. */
        const Op *in = op->sub;
        int maybe = p < q && (in->kind == K_LIT     ? *p == in->data[0]
                              : in->kind == K_RUN   ? (in->in[*p] || in->lo == 0)
                              : in->kind == K_FIXED ? in->in[*p]
                                                    : 1);
        cp r = maybe ? run_shape(in, p, q) : NULL;
        if (r != NULL)
            p = r;
        op++;
        NEXT;
    }
    CASE(K_EOL, eol)
        if (p != q)
            return NULL;
        op++;
        NEXT;
    CASE(K_FIXED, fixed) {
        if ((size_t)(q - p) < op->n)
            return NULL;
        unsigned bad = 0;
        for (unsigned i = 0; i < op->n; i++)
            bad |= op->in[256 * i + p[i]] ^ 1;
        if (bad)
            return NULL;
        p += op->n;
        op++;
        NEXT;
    }
    CASE(K_ALT, alt) { /* the last step: the first branch that matches */
        if (op->pick != NULL) { /* one branch alone can start here: go on in it, no call */
            int i = p < q ? op->pick[*p] : -1;
            if (i < 0)
                return NULL;
            op = op->alts[i];
            NEXT;
        }
        for (unsigned i = 0; i < op->n; i++)
            if (op->first[i] < 0 || (p < q && *p == op->first[i])) {
                cp r = run_shape(op->alts[i], p, q);
                if (r != NULL)
                    return r;
            }
        return NULL;
    }
#if !defined(__GNUC__)
        }
#endif
#undef NEXT
#undef CASE
}

/* Checks that a program is well formed (shapes.py wrote it; a caller could pass anything). */
static int
valid_shape(cp op, cp end)
{
    while (op < end) {
        switch (*op) {
        case OP_END:
            return op + 1 == end;
        case OP_LIT:
            if (end - op < 3 || (Py_ssize_t)u16(op + 1) > end - op - 3)
                return 0;
            op += 3 + u16(op + 1);
            break;
        case OP_RUN:
            if (end - op < 5 + 32 || u16(op + 1) > u16(op + 3))
                return 0;
            op += 5 + 32;
            break;
        case OP_OPT: {
            if (end - op < 3 || (Py_ssize_t)u16(op + 1) > end - op - 3)
                return 0;
            unsigned n = u16(op + 1);
            if (n == 0 || !valid_shape(op + 3, op + 3 + n))
                return 0;
            op += 3 + n;
            break;
        }
        case OP_EOL:
            op++;
            break;
        case OP_ALT: {
            if (end - op < 3)
                return 0;
            cp b = op + 3;
            for (unsigned i = 0; i < u16(op + 1); i++) {
                if (end - b < 2 || (Py_ssize_t)u16(b) > end - b - 2 || u16(b) == 0 || !valid_shape(b + 2, b + 2 + u16(b)))
                    return 0;
                b += 2 + u16(b);
            }
            op = b;
            break;
        }
        default:
            return 0;
        }
    }
    return 0;
}

/* -- literal lists ----------------------------------------------------------------------- */

#define ANCHORS_MAX 8

typedef struct {
    Py_ssize_t n;
    unsigned char **data;
    Py_ssize_t *len;
    Py_ssize_t *anchor; /* contains(): the byte of each literal that is searched for */
    unsigned char first[32]; /* starts(): the first bytes of the literals */
    unsigned char anchors[ANCHORS_MAX]; /* the anchor bytes, each once ... */
    int nanchors; /* ... (0 when there are more: each literal is then searched for alone) */
    unsigned char is_anchor[256];
    uint64_t by_anchor[256]; /* the literals (bits) anchored at each byte, when n <= 64 */
} Lits;

static void
lits_free(Lits *l)
{
    for (Py_ssize_t i = 0; i < l->n; i++)
        PyMem_Free(l->data[i]);
    PyMem_Free(l->data);
    PyMem_Free(l->len);
    PyMem_Free(l->anchor);
    memset(l, 0, sizeof *l);
}

/* A list of (bytes, anchor) pairs, or of bytes (anchor 0). */
static int
lits_from(PyObject *seq, Lits *l, const char *what)
{
    PyObject *fast = PySequence_Fast(seq, what);
    if (fast == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    l->data = PyMem_Calloc((size_t)n + 1, sizeof *l->data);
    l->len = PyMem_Calloc((size_t)n + 1, sizeof *l->len);
    l->anchor = PyMem_Calloc((size_t)n + 1, sizeof *l->anchor);
    if (l->data == NULL || l->len == NULL || l->anchor == NULL) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(fast, i), *bytes = item;
        Py_ssize_t anchor = 0;
        if (PyTuple_Check(item)) {
            if (!PyArg_ParseTuple(item, "Sn", &bytes, &anchor))
                goto fail;
        }
        if (!PyBytes_Check(bytes) || PyBytes_GET_SIZE(bytes) == 0 || anchor < 0 ||
            anchor >= PyBytes_GET_SIZE(bytes)) {
            PyErr_Format(PyExc_ValueError, "%s: non-empty bytes (and an anchor inside) expected", what);
            goto fail;
        }
        Py_ssize_t len = PyBytes_GET_SIZE(bytes);
        l->data[i] = PyMem_Malloc((size_t)len);
        if (l->data[i] == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        memcpy(l->data[i], PyBytes_AS_STRING(bytes), (size_t)len);
        l->len[i] = len;
        l->anchor[i] = anchor;
        l->first[l->data[i][0] >> 3] |= (unsigned char)(1u << (l->data[i][0] & 7));
        l->n = i + 1;
        unsigned char a = l->data[i][anchor];
        if (!l->is_anchor[a]) {
            l->is_anchor[a] = 1;
            l->nanchors++;
        }
    }
    Py_DECREF(fast);
    if (l->n <= 64)
        for (Py_ssize_t i = 0; i < l->n; i++)
            l->by_anchor[l->data[i][l->anchor[i]]] |= (uint64_t)1 << i;
    if (l->nanchors > ANCHORS_MAX)
        l->nanchors = 0;
    else
        for (int c = 0, k = 0; c < 256; c++)
            if (l->is_anchor[c])
                l->anchors[k++] = (unsigned char)c;
    return 0;
fail:
    Py_DECREF(fast);
    return -1;
}

/* The index of a literal the text at p starts with, or -1. */
static Py_ssize_t
starts_which(const Lits *l, cp p, cp q)
{
    if (p >= q || !BIT(l->first, *p))
        return -1;
    for (Py_ssize_t i = 0; i < l->n; i++)
        if (q - p >= l->len[i] && lit_eq(p, l->data[i], (size_t)l->len[i]))
            return i;
    return -1;
}

/* Whether one of the literals has its anchor byte at c, and occurs there. */
static inline int
anchored_at(const Lits *l, cp p, cp q, cp c)
{
    if (l->n <= 64) { /* only the literals anchored at this byte */
        int j = 0;
        for (uint64_t m = l->by_anchor[*c]; m; m >>= 1, j++) {
            Py_ssize_t k = l->anchor[j];
            if ((m & 1) && c - p >= k && q - (c - k) >= l->len[j] &&
                memcmp(c - k, l->data[j], (size_t)l->len[j]) == 0)
                return 1;
        }
        return 0;
    }
    for (Py_ssize_t j = 0; j < l->n; j++) {
        Py_ssize_t k = l->anchor[j];
        if (l->data[j][k] == *c && c - p >= k && q - (c - k) >= l->len[j] &&
            memcmp(c - k, l->data[j], (size_t)l->len[j]) == 0)
            return 1;
    }
    return 0;
}

/* Whether a literal occurs in [p, q): found by its anchor byte, in one pass for all the
 * literals when they have few anchors, else one memchr pass per anchor. */
static int
contains_any(const Lits *l, cp p, cp q)
{
    if (l->n == 0)
        return 0;
    if (l->nanchors == 1) {
        for (cp c = p; c < q && (c = memchr(c, l->anchors[0], (size_t)(q - c))) != NULL; c++)
            if (anchored_at(l, p, q, c))
                return 1;
        return 0;
    }
    if (l->nanchors) {
#if defined(__SSE2__)
        /* Sixteen bytes at a time, every anchor byte of a block tried before the next block;
         * a line's last (partial) block is the sixteen bytes that end it, the bytes already
         * looked at masked off. */
        if (q - p >= 16) {
            __m128i v[ANCHORS_MAX];
            for (int i = 0; i < l->nanchors; i++)
                v[i] = _mm_set1_epi8((char)l->anchors[i]);
            for (cp c = p;;) {
                cp block = q - c >= 16 ? c : q - 16;
                __m128i x = _mm_loadu_si128((const __m128i *)block), hit = _mm_cmpeq_epi8(x, v[0]);
                for (int i = 1; i < l->nanchors; i++)
                    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, v[i]));
                unsigned mask = (unsigned)_mm_movemask_epi8(hit) & (0xFFFFu << (c - block));
                for (; mask; mask &= mask - 1)
                    if (anchored_at(l, p, q, block + __builtin_ctz(mask)))
                        return 1;
                if (block + 16 >= q)
                    return 0;
                c = block + 16;
            }
        }
#endif
        for (cp c = p; c < q; c++)
            if (l->is_anchor[*c] && anchored_at(l, p, q, c))
                return 1;
        return 0;
    }
    for (Py_ssize_t i = 0; i < l->n; i++) {
        unsigned char a = l->data[i][l->anchor[i]];
        int done = 0;
        for (Py_ssize_t j = 0; j < i; j++)
            if (l->data[j][l->anchor[j]] == a)
                done = 1; /* searched with j's pass */
        if (done)
            continue;
        for (cp c = p; (c = memchr(c, a, (size_t)(q - c))) != NULL; c++)
            for (Py_ssize_t j = i; j < l->n; j++) {
                Py_ssize_t k = l->anchor[j];
                if (l->data[j][k] == a && c - p >= k && q - (c - k) >= l->len[j] &&
                    memcmp(c - k, l->data[j], (size_t)l->len[j]) == 0)
                    return 1;
            }
    }
    return 0;
}

/* -- the filter -------------------------------------------------------------------------- */

#define STAMP_MAX 64

/* Eight positions of a stamp checked at once: the bytes of literal positions, and which
 * positions are digits (the high bit of each such byte set). */
typedef struct {
    uint64_t lit_mask, lit, digits;
    Py_ssize_t at;
} Word;

typedef struct {
    PyObject_HEAD
    PyObject *wrapper_obj, *module_obj, *func_obj, *alive_obj; /* programs, kept alive */
    Op *wrapper, *module, *func; /* NULL: no wrapper; no module (console); no level at all (less) */
    Op **alive;
    Py_ssize_t nalive;
    unsigned char alive_first[32]; /* the bytes an alive payload starts with */
    Py_ssize_t stamp_w; /* the stamp and " - " after it */
    unsigned char stamp_bad[STAMP_MAX][256]; /* 1 where a byte is not allowed at a position */
    Word words[STAMP_MAX / 8 + 1]; /* the same, eight positions at a time, when every position */
    int nwords; /* is a digit or one byte (else nwords is 0 and stamp_bad decides) */
    unsigned char module_first[32];
    int day_at, month_at; /* a year-less stamp's date digits, or -1 */
    Lits debug, levels, funcs, starts, texts, debug_starts, debug_texts, id_seps, hazards;
    Lits marks; /* texts that make a line without a record's prefix a record (linefilter.MARKS) */
    PyObject *wrappers_obj; /* every collector's prefix (stamps.PREFIXES), kept alive */
    Op **wrappers; /* ... their programs: what is behind one on a line that is no record */
    Py_ssize_t nwrappers;
} Filter;

static void
filter_dealloc(Filter *f)
{
    Py_XDECREF(f->wrapper_obj);
    Py_XDECREF(f->module_obj);
    Py_XDECREF(f->func_obj);
    Py_XDECREF(f->alive_obj);
    ops_free(f->wrapper);
    ops_free(f->module);
    ops_free(f->func);
    for (Py_ssize_t i = 0; f->alive != NULL && i < f->nalive; i++)
        ops_free(f->alive[i]);
    PyMem_Free(f->alive);
    Py_XDECREF(f->wrappers_obj);
    for (Py_ssize_t i = 0; f->wrappers != NULL && i < f->nwrappers; i++)
        ops_free(f->wrappers[i]);
    PyMem_Free(f->wrappers);
    Lits *all[] = {&f->debug, &f->levels, &f->funcs, &f->starts, &f->texts, &f->debug_starts,
                   &f->debug_texts, &f->id_seps, &f->hazards, &f->marks};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        lits_free(all[i]);
    Py_TYPE(f)->tp_free((PyObject *)f);
}

/* A shape program argument (bytes), or None: compiled; `keep` holds the bytes it points into. */
static int
program(PyObject *obj, PyObject **keep, Op **ops, const char *what)
{
    if (obj == Py_None)
        return 0;
    if (!PyBytes_Check(obj) || !valid_shape((cp)PyBytes_AS_STRING(obj),
                                            (cp)PyBytes_AS_STRING(obj) + PyBytes_GET_SIZE(obj))) {
        PyErr_Format(PyExc_ValueError, "%s: a shape program (bytes) expected", what);
        return -1;
    }
    *ops = ops_of((cp)PyBytes_AS_STRING(obj));
    if (*ops == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_INCREF(obj);
    *keep = obj;
    return 0;
}

/* A sequence of shape programs: compiled into `*ops` (`*n` of them); `*keep` holds the bytes. */
static int
programs(PyObject *seq, PyObject **keep, Op ***ops, Py_ssize_t *n, const char *what)
{
    *keep = PySequence_Tuple(seq);
    if (*keep == NULL)
        return -1;
    *n = PyTuple_GET_SIZE(*keep);
    *ops = PyMem_Calloc((size_t)*n + 1, sizeof **ops);
    if (*ops == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < *n; i++) {
        PyObject *one = NULL;
        if (program(PyTuple_GET_ITEM(*keep, i), &one, &(*ops)[i], what) < 0 || one == NULL) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "%s: shape programs expected", what);
            return -1;
        }
        Py_DECREF(one); /* the tuple holds it */
    }
    return 0;
}

/* The Words of a stamp whose every position takes one byte or exactly the ten digits. */
static void
words_init(Filter *f)
{
    unsigned char lit[STAMP_MAX], mask[STAMP_MAX], digit[STAMP_MAX];
    for (Py_ssize_t i = 0; i < f->stamp_w; i++) {
        int n = 0, last = 0, digits = 1;
        for (int c = 0; c < 256; c++)
            if (!f->stamp_bad[i][c]) {
                n++;
                last = c;
                digits &= IS_DIGIT(c);
            }
        lit[i] = (unsigned char)last;
        mask[i] = n == 1 ? 0xFF : 0;
        digit[i] = n == 10 && digits ? 0x80 : 0;
        if (!mask[i] && !digit[i]) {
            f->nwords = 0;
            return;
        }
    }
    f->nwords = 0;
    for (Py_ssize_t at = 0;; at += 8) {
        if (at + 8 > f->stamp_w)
            at = f->stamp_w - 8; /* the last word overlaps the one before: no read past the stamp */
        Word *w = &f->words[f->nwords++];
        w->at = at;
        memcpy(&w->lit, lit + at, 8);
        memcpy(&w->lit_mask, mask + at, 8);
        memcpy(&w->digits, digit + at, 8);
        if (at + 8 == f->stamp_w)
            break;
    }
}

static int
filter_init(Filter *f, PyObject *args, PyObject *kw)
{
    static char *names[] = {"wrapper", "stamp", "module", "func", "debug", "levels", "funcs",
                            "starts", "texts", "debug_starts", "debug_texts", "id_seps", "hazards",
                            "alive", "day_at", "month_at", "marks", "wrappers", NULL};
    PyObject *wrapper, *module, *func, *debug, *levels, *funcs, *starts, *texts, *debug_starts,
        *debug_texts, *id_seps, *hazards, *alive, *marks = NULL, *wrappers = NULL;
    Py_buffer stamp;
    f->day_at = f->month_at = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oy*OOOOOOOOOOOO|iiOO", names, &wrapper, &stamp, &module,
                                     &func, &debug, &levels, &funcs, &starts, &texts, &debug_starts,
                                     &debug_texts, &id_seps, &hazards, &alive, &f->day_at, &f->month_at,
                                     &marks, &wrappers))
        return -1;
    /* The stamp: the bytes allowed at each position, 32-byte bitmaps one after the other. */
    int bad = stamp.len % 32 != 0 || stamp.len / 32 > STAMP_MAX || stamp.len == 0;
    if (!bad) {
        f->stamp_w = stamp.len / 32;
        for (Py_ssize_t i = 0; i < f->stamp_w; i++)
            for (int c = 0; c < 256; c++)
                f->stamp_bad[i][c] = !BIT((cp)stamp.buf + 32 * i, c);
    }
    PyBuffer_Release(&stamp);
    if (bad || f->stamp_w < 8 ||
        (f->month_at >= 0 && (f->month_at + 2 > f->stamp_w || f->day_at < 0 || f->day_at + 2 > f->stamp_w))) {
        PyErr_SetString(PyExc_ValueError, "stamp: one 32-byte bitmap per position (8 or more) expected");
        return -1;
    }
    words_init(f);
    if (program(wrapper, &f->wrapper_obj, &f->wrapper, "wrapper") < 0 ||
        program(module, &f->module_obj, &f->module, "module") < 0 ||
        program(func, &f->func_obj, &f->func, "func") < 0)
        return -1;
    if (f->module != NULL) { /* the bytes a module name starts with: its program's first run */
        if (f->module->kind != K_RUN || f->module->lo == 0) {
            PyErr_SetString(PyExc_ValueError, "module: must start with a run");
            return -1;
        }
        for (int c = 0; c < 256; c++)
            if (f->module->in[c])
                f->module_first[c >> 3] |= (unsigned char)(1u << (c & 7));
    }
    if (lits_from(debug, &f->debug, "debug") < 0 || lits_from(levels, &f->levels, "levels") < 0 ||
        lits_from(funcs, &f->funcs, "funcs") < 0 || lits_from(starts, &f->starts, "starts") < 0 ||
        lits_from(texts, &f->texts, "texts") < 0 ||
        lits_from(debug_starts, &f->debug_starts, "debug_starts") < 0 ||
        lits_from(debug_texts, &f->debug_texts, "debug_texts") < 0 ||
        lits_from(id_seps, &f->id_seps, "id_seps") < 0 || lits_from(hazards, &f->hazards, "hazards") < 0 ||
        (marks != NULL && marks != Py_None && lits_from(marks, &f->marks, "marks") < 0))
        return -1;
    for (Py_ssize_t i = 0; i < f->id_seps.n; i++)
        if (IS_DIGIT(f->id_seps.data[i][0])) {
            PyErr_SetString(PyExc_ValueError, "id_seps: a separator cannot start with a digit");
            return -1;
        }
    if (programs(alive, &f->alive_obj, &f->alive, &f->nalive, "alive") < 0 ||
        (wrappers != NULL && wrappers != Py_None &&
         programs(wrappers, &f->wrappers_obj, &f->wrappers, &f->nwrappers, "wrappers") < 0))
        return -1;
    for (Py_ssize_t i = 0; i < f->nalive; i++) {
        const Op *op = f->alive[i];
        if (op->kind == K_LIT) /* a payload starting with a literal: its first byte */
            f->alive_first[op->data[0] >> 3] |= (unsigned char)(1u << (op->data[0] & 7));
        else /* anything may start it */
            memset(f->alive_first, 0xFF, sizeof f->alive_first);
    }
    return 0;
}

#define ONES 0x0101010101010101ULL

static inline int
stamp_ok(const Filter *f, cp p, cp q)
{
    if (q - p < f->stamp_w)
        return 0;
    if (f->nwords) {
        /* Per byte b, without carries between bytes: the high bit of
         * ((b | 0x80) - 0x30) & ~((b & 0x7f) + 0x46) & ~b is set exactly when b is a digit. */
        uint64_t bad = 0;
        for (int i = 0; i < f->nwords; i++) {
            const Word *w = &f->words[i];
            uint64_t x;
            memcpy(&x, p + w->at, 8);
            uint64_t d = ((x | 0x80 * ONES) - 0x30 * ONES) & ~((x & 0x7f * ONES) + 0x46 * ONES) & ~x;
            bad |= ((x ^ w->lit) & w->lit_mask) | ((d & w->digits) ^ w->digits);
        }
        return !bad;
    }
    unsigned bad = 0;
    for (Py_ssize_t i = 0; i < f->stamp_w; i++)
        bad |= f->stamp_bad[i][p[i]];
    return !bad;
}

/* The start of the line's stamp (after its wrapper), or NULL if it has no stamp of the shape. */
static inline cp
stamped(const Filter *f, cp p, cp q)
{
    if (f->wrapper != NULL && (p = run_shape(f->wrapper, p, q)) == NULL)
        return NULL;
    return stamp_ok(f, p, q) ? p : NULL;
}

#define MEMO_SLOTS 4
#define MEMO_MAX 80
#define PREFIX_MAX 160
/* What a scan remembers of the shapes it ran: the bytes of the last few alive payloads it
 * found (below: of the last line's prefix). Whether a shape matches depends on
 * the bytes it matched alone (and, for a match that ends the line, on the line ending there):
 * a byte a step looked at past them could only have made a final run longer or failed a branch
 * tried before the one that matched. So a line with the same bytes after its id matches alike,
 * without running the shape. Heartbeats repeat the same few payloads. */
typedef struct {
    unsigned char bytes[MEMO_SLOTS][MEMO_MAX];
    Py_ssize_t len[MEMO_SLOTS]; /* 0: empty */
    int eol[MEMO_SLOTS]; /* the match ended the line */
    int next;
    /* The bytes from after the level to the message of the last plain line of a level other
     * than DEBUG (`module - [func]: `): the module and function shapes, and the check of the
     * function name, depend on those bytes alone (as above), and a log repeats a few of them. */
    unsigned char prefix[PREFIX_MAX];
    Py_ssize_t prefix_len; /* 0: empty */
    Py_ssize_t nalive; /* the alive programs this scan tries: all, or the first (scan()) */
} Memo;

/* `[func]: ` at p (not one of `funcs` when quiet): the message's start, or NULL. */
static cp
func_at(const Filter *f, cp p, cp q, int quiet)
{
    if (quiet && starts_which(&f->funcs, p, q) >= 0)
        return NULL;
    return run_shape(f->func, p, q);
}

static int
debug_message_plain(const Filter *f, cp m, cp q)
{
    return starts_which(&f->debug_starts, m, q) < 0 && !contains_any(&f->debug_texts, m, q);
}

/* `#`, 1 to 12 digits and an id separator: a message whose id the `#N` check looks at. */
static int
id_message(const Filter *f, cp m, cp q)
{
    if (m >= q || *m != '#')
        return 0;
    cp d = ++m;
    while (d < q && IS_DIGIT(*d) && d - m <= 12)
        d++;
    return d - m >= 1 && d - m <= 12 && starts_which(&f->id_seps, d, q) >= 0;
}

/* A message no template reads (but for a `#N` in it): none of the starts, and none of the
 * texts (escape sequences among them). A message with an id is read by the templates that
 * follow an id only: whether it matters is the `#N` check's to say, but for an escape
 * sequence, which could change what the id is. */
static int
quiet_message(const Filter *f, cp m, cp q)
{
    if (starts_which(&f->starts, m, q) >= 0)
        return 0;
    return id_message(f, m, q) ? !contains_any(&f->hazards, m, q) : !contains_any(&f->texts, m, q);
}

/* `module - [func]: ` of a line of a level other than DEBUG, from m (after the level): the
 * message's start, or NULL. */
static cp
leveled_message(const Filter *f, cp m, cp q, Memo *memo)
{
    Py_ssize_t n = memo->prefix_len;
    if (n && q - m >= n && memcmp(m, memo->prefix, (size_t)n) == 0)
        return m + n;
    cp r = m;
    if (f->module != NULL && (r = run_shape(f->module, r, q)) == NULL)
        return NULL;
    cp msg = func_at(f, r, q, 1);
    if (msg != NULL && msg - m <= PREFIX_MAX) {
        memcpy(memo->prefix, m, (size_t)(msg - m));
        memo->prefix_len = msg - m;
    }
    return msg;
}

/* A plain record: one the templates cannot read, but for a `#N` in it (see hashes_harmless). */
static int
plain(const Filter *f, cp s, cp q, Memo *memo)
{
    cp m = s + f->stamp_w;
    if (f->func == NULL) /* less: no level, no function */
        return quiet_message(f, m, q);
    if (starts_which(&f->debug, m, q) >= 0) {
        m += f->debug.len[0];
        if (f->debug_starts.n == 0 && f->debug_texts.n == 0) {
            /* Only a `#N` can matter: the layout's own mark is enough (a module's first byte,
             * or the function name the console puts right after the level). */
            if (f->module != NULL)
                return m < q && BIT(f->module_first, *m);
            return func_at(f, m, q, 0) != NULL;
        }
        /* An escape sequence anywhere after the level could join a template the bytes hide. */
        cp after_level = m;
        if (f->module != NULL && (m = run_shape(f->module, m, q)) == NULL)
            return 0;
        cp msg = func_at(f, m, q, 0);
        return msg != NULL && debug_message_plain(f, msg, q) && !contains_any(&f->hazards, after_level, q);
    }
    Py_ssize_t level = starts_which(&f->levels, m, q);
    if (level < 0)
        return 0;
    cp msg = leveled_message(f, m + f->levels.len[level], q, memo);
    return msg != NULL && quiet_message(f, msg, q);
}

/* A year-less date the YearResolver takes (stamps.stamp_time): a month 01-12, a day 01-31. */
static inline int
resolves(const Filter *f, cp s)
{
    cp d = s + f->day_at, mo = s + f->month_at;
    int day = (d[0] - '0') * 10 + (d[1] - '0'), mon = (mo[0] - '0') * 10 + (mo[1] - '0');
    return mon >= 1 && mon <= 12 && day >= 1 && day <= 31;
}

/* No `#` of the line is an id that may matter: `#` and digits followed by an id separator, not
 * a known id's alive payload, or digits and spaces an escape sequence may join (the regex's
 * `#(?!known alive)(?:\d{1,12}(?:seps)|[\d -]{0,15}[hazards])`). */


static int
alive_at(const Filter *f, cp d, cp q, Memo *memo)
{
    for (int i = 0; i < MEMO_SLOTS; i++) {
        Py_ssize_t n = memo->len[i];
        if (n && (memo->eol[i] ? q - d == n : q - d >= n) && memcmp(d, memo->bytes[i], (size_t)n) == 0)
            return 1;
    }
    if (d >= q || !BIT(f->alive_first, *d))
        return 0;
    for (Py_ssize_t i = 0; i < memo->nalive; i++) {
        cp r = run_shape(f->alive[i], d, q);
        if (r == NULL)
            continue;
        Py_ssize_t n = r - d;
        if (n > 0 && n <= MEMO_MAX) {
            int k = memo->next;
            memo->next = (k + 1) % MEMO_SLOTS;
            memcpy(memo->bytes[k], d, (size_t)n);
            memo->len[k] = n;
            memo->eol[k] = r == q;
        }
        return 1;
    }
    return 0;
}

static int
hashes_harmless(const Filter *f, cp p, cp q, cp known, Py_ssize_t nknown, Memo *memo)
{
    while ((p = memchr(p, '#', (size_t)(q - p))) != NULL) {
        p++;
        cp d = p;
        Py_ssize_t id = 0;
        while (d < q && IS_DIGIT(*d) && d - p < 13) {
            if (d - p < 7)
                id = id * 10 + (*d - '0');
            d++;
        }
        Py_ssize_t n = d - p;
        /* A known id in its own spelling (no leading zero), then a payload that only says alive */
        if (n >= 1 && n <= 7 && !(n > 1 && *p == '0') && id < nknown * 8 && BIT(known, id)) {
            if (alive_at(f, d, q, memo))
                continue;
        }
        if (n >= 1 && n <= 12 && starts_which(&f->id_seps, d, q) >= 0)
            return 0;
        cp r = p;
        while (r < q && (IS_DIGIT(*r) || *r == ' ' || *r == '-') && r - p <= 15)
            r++;
        if (r - p <= 15 && r < q && BIT(f->hazards.first, *r))
            return 0;
    }
    return 1;
}

/* -- lines that cannot be records: counted here, never handed to Python ----------------------
 * A newline bomb (a file of empty lines) or junk between records cost line() microseconds a
 * line; these lines are classified here as line() would: blank, a continuation (traceback) or
 * unrecognized. A line is inert when layouts.split_line cannot make a record of it: no escape
 * that strip_ansi could remove to join text, none of the marks (the starts of the record forms
 * without a stamp: pasted messages, Python's BASIC_FORMAT), and no ` - ` after what every other
 * record form needs (a time with a date before it, `\d[ T]HH:MM:SS[.ffffff]`, a level word, or
 * `#` and 1-12 digits). A line longer than MAX_LINE is line()'s to count (as too long). The Python twin of
 * these patterns is in linefilter.py (RECORDISH, CONTINUATION). */
#define MAX_LINE 65536 /* scan.MAX_LINE */
#define MAX_SAMPLES 3  /* analyze.MAX_SAMPLES: the unrecognized lines an input shows */
enum { MATTERS, BLANK, CONTINUATION, UNRECOGNIZED };

/* `\d[ T]\d\d:\d\d:\d\d` ends at e */
static int
time_before(cp line, cp e)
{
    if (e - line < 10)
        return 0;
    cp s = e - 10;
    return IS_DIGIT(s[0]) && (s[1] == ' ' || s[1] == 'T') && IS_DIGIT(s[2]) && IS_DIGIT(s[3]) &&
           s[4] == ':' && IS_DIGIT(s[5]) && IS_DIGIT(s[6]) && s[7] == ':' && IS_DIGIT(s[8]) &&
           IS_DIGIT(s[9]);
}


/* A level word and ` - ` (the filter's debug or levels literals) end at ` - ` + 3. */
static int
level_before(const Filter *f, cp line, cp sep)
{
    const Lits *lists[] = {&f->debug, &f->levels};
    for (int k = 0; k < 2; k++)
        for (Py_ssize_t i = 0; i < lists[k]->n; i++) {
            Py_ssize_t n = lists[k]->len[i];
            if (sep + 3 - line >= n && memcmp(sep + 3 - n, lists[k]->data[i], (size_t)n) == 0)
                return 1;
        }
    return 0;
}

/* linefilter.RECORDISH: some ` - ` of the line follows a time with a date, a level or `#\d{1,12}`. */
static int
recordish(const Filter *f, cp p, cp q)
{
    for (cp j = p; (j = memchr(j, '-', (size_t)(q - j))) != NULL; j++) {
        if (j == p || j[-1] != ' ' || j + 1 >= q || j[1] != ' ')
            continue;
        cp e = j - 1; /* where the text before ` - ` ends */
        cp d = e;
        while (d > p && IS_DIGIT(d[-1]))
            d--;
        Py_ssize_t digits = e - d;
        if (digits >= 1 && digits <= 12 && d > p && d[-1] == '#')
            return 1;
        if (digits >= 1 && digits <= 6 && d > p && (d[-1] == '.' || d[-1] == ',') && time_before(p, d - 1))
            return 1;
        if (time_before(p, e) || level_before(f, p, e)) /* e: where ` - ` starts */
            return 1;
    }
    return 0;
}

/* str.isspace() of an ASCII byte (CR cannot occur: chunks are newline-normalised). */
#define IS_SPACE(c) ((c) == ' ' || (c) == '\t' || (c) == 0x0b || (c) == 0x0c || (c) == '\r' || ((c) >= 0x1c && (c) <= 0x1f))
#define IS_WORD(c) (IS_ALNUM(c) || (c) == '_')

/* layouts.is_continuation: `[ \t]`, a traceback's framing, or `Name...Error\b` (or a lower-case
 * `name.gaierror:`) at the start. */
static int
continuation(cp p, cp q)
{
    if (p < q && (*p == ' ' || *p == '\t'))
        return 1;
    if (STARTS(p, q, "Traceback (most recent call last):") ||
        STARTS(p, q, "During handling of the above exception") ||
        STARTS(p, q, "The above exception was the direct cause"))
        return 1;
    if (p >= q || !IS_ALPHA_(*p))
        return 0;
    /* `[A-Za-z_][\w.]{0,200}(?:Error|Exception|Exit|Interrupt|Warning)\b`: the word may start
     * at any k in 1..201 that only `[\w.]` characters precede. */
    static const char *words[] = {"Error", "Exception", "Exit", "Interrupt", "Warning"};
    /* ... or `(?:error|timeout)` before `:` or the line's end: `socket.gaierror: ...` */
    static const char *lower[] = {"error", "timeout"};
    for (Py_ssize_t k = 1; k <= 201 && p + k < q; k++) {
        cp w = p + k;
        if (*w == 'E' || *w == 'I' || *w == 'W') {
            for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                Py_ssize_t n = (Py_ssize_t)strlen(words[i]);
                if (starts(w, q, words[i], n) && (w + n == q || !IS_WORD(w[n])))
                    return 1;
            }
        }
        if (*w == 'e' || *w == 't') {
            for (size_t i = 0; i < sizeof(lower) / sizeof(lower[0]); i++) {
                Py_ssize_t n = (Py_ssize_t)strlen(lower[i]);
                if (starts(w, q, lower[i], n) && (w + n == q || w[n] == ':'))
                    return 1;
            }
        }
        if (!IS_MODULE(*w))
            break;
    }
    return 0;
}

/* layouts.is_fence: a Markdown code fence (```, ```log ...: up to 16 letters, 64 spaces), counted
 * as blank. */
static int
fence(cp p, cp q)
{
    if (q - p < 3 || p[0] != '`' || p[1] != '`' || p[2] != '`')
        return 0;
    cp c = p + 3;
    while (c < q && c < p + 19 && (((*c) | 0x20) >= 'a' && ((*c) | 0x20) <= 'z'))
        c++;
    cp letters = c;
    while (c < q && c < letters + 64 && (*c == ' ' || *c == '\t'))
        c++;
    return c == q;
}

/* layouts.non_record_kind of a line that is no record and no continuation: what is behind a
 * collector's prefix, under every prefix that matches. Blank (ASCII spaces, a fence) wins; a rest
 * of spaces and non-ASCII bytes only Python can tell from Unicode spaces (MATTERS); then a
 * continuation. */
static int
behind_prefix(const Filter *f, cp p, cp q)
{
    int kind = UNRECOGNIZED;
    for (Py_ssize_t i = 0; i < f->nwrappers; i++) {
        cp r = run_shape(f->wrappers[i], p, q);
        if (r == NULL)
            continue;
        int ascii_text = 0, high = 0;
        for (cp c = r; c < q && !ascii_text; c++) {
            high |= *c >= 0x80;
            ascii_text = *c < 0x80 && !IS_SPACE(*c);
        }
        if ((!ascii_text && !high) || fence(r, q))
            return BLANK;
        if (!ascii_text)
            kind = MATTERS;
        else if (kind == UNRECOGNIZED && continuation(r, q))
            kind = CONTINUATION;
    }
    return kind;
}

/* What line() would count a line as, if it cannot be a record; MATTERS if it may be one (or if
 * only Python can tell: a line of whitespace and non-ASCII bytes may be Unicode spaces). */
static int
inert_kind(const Filter *f, cp p, cp q)
{
    if (q - p > MAX_LINE)
        return MATTERS;
    int ascii_text = 0, high = 0;
    for (cp c = p; c < q; c++) {
        if (*c >= 0x80)
            high = 1;
        else if (!IS_SPACE(*c)) {
            ascii_text = 1;
            break;
        }
    }
    if (!ascii_text)
        return high ? MATTERS : BLANK;
    if (fence(p, q))
        return BLANK;
    /* The marks last: a stamped line (most lines looked at here) is recordish at its stamp,
     * while looking for every mark costs a pass over the line each. */
    if (contains_any(&f->hazards, p, q) || recordish(f, p, q) || contains_any(&f->marks, p, q))
        return MATTERS;
    return continuation(p, q) ? CONTINUATION : behind_prefix(f, p, q);
}

static PyObject *
filter_scan(Filter *f, PyObject *args)
{
    Py_buffer buf, ids;
    Py_ssize_t start, end;
    int all_lines = 0; /* no line is plain: every one that may be a record is looked at */
    int every_alive = 1; /* else only the first alive program says a known id's line is alive */
    if (!PyArg_ParseTuple(args, "y*nny*|pp", &buf, &start, &end, &ids, &all_lines, &every_alive))
        return NULL;
    if (end < 0 || end > buf.len || start < 0 || start > end) {
        PyBuffer_Release(&buf);
        PyBuffer_Release(&ids);
        PyErr_SetString(PyExc_ValueError, "start or end out of range");
        return NULL;
    }
    cp base = (cp)buf.buf, known = (cp)ids.buf;
    Py_ssize_t nknown = ids.len, lines = 0, n = 0, cap = 1024;
    Py_ssize_t counts[4] = {0, 0, 0, 0}; /* by inert kind; MATTERS unused */
    Py_ssize_t samples[MAX_SAMPLES], nsamples = 0, first_plain = -1, last_plain = -1;
    Py_ssize_t *found = PyMem_RawMalloc((size_t)cap * sizeof(Py_ssize_t));
    int nomem = found == NULL;
    Py_BEGIN_ALLOW_THREADS
    cp p = base + start, stop = base + end;
    unsigned char month[2] = {0, 0};
    int month_known = 0;
    Memo *memo = PyMem_RawCalloc(1, sizeof(Memo));
    nomem |= memo == NULL;
    if (memo != NULL)
        memo->nalive = every_alive || f->nalive < 1 ? f->nalive : 1;
    while (!nomem && p < stop) {
        if (*p == '\n') {
            /* A run of empty lines (a newline bomb): blank; not dated, so a year-less line
             * after it is looked at. */
            cp r = p;
            while (r < stop && *r == '\n')
                r++;
            counts[BLANK] += r - p;
            lines += r - p;
            month_known = 0;
            p = r;
            continue;
        }
        cp q = memchr(p, '\n', (size_t)(stop - p));
        if (q == NULL)
            q = stop; /* an unfinished last line: looked at like any other */
        lines += q < stop;
        cp s = stamped(f, p, q);
        int skip = !all_lines && s != NULL && plain(f, s, q, memo) && hashes_harmless(f, p, q, known, nknown, memo);
        if (f->month_at >= 0) {
            /* A year-less date gets its year from the YearResolver, line by line: its state
             * changes only where the month does (or at the first date), so such lines are
             * looked at, and so is the first dated line after any line this cannot date. */
            int res = s != NULL && resolves(f, s);
            cp mo = res ? s + f->month_at : NULL;
            if (skip && res && !(month_known && mo[0] == month[0] && mo[1] == month[1]))
                skip = 0;
            if (res) {
                month[0] = mo[0];
                month[1] = mo[1];
                month_known = 1;
            }
            else if (s == NULL)
                month_known = 0;
        }
        if (skip) {
            if (first_plain < 0)
                first_plain = p - base;
            last_plain = p - base;
        }
        else {
            int kind = inert_kind(f, p, q);
            if (kind != MATTERS) {
                counts[kind]++;
                if (kind == UNRECOGNIZED && nsamples < MAX_SAMPLES)
                    samples[nsamples++] = p - base;
                p = q + 1;
                continue;
            }
            if (n == cap) {
                Py_ssize_t *more = PyMem_RawRealloc(found, (size_t)cap * 2 * sizeof(Py_ssize_t));
                if (more == NULL) {
                    nomem = 1;
                    break;
                }
                found = more;
                cap *= 2;
            }
            found[n++] = p - base;
        }
        p = q + 1;
    }
    PyMem_RawFree(memo);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    PyBuffer_Release(&ids);
    if (nomem) {
        PyMem_RawFree(found);
        return PyErr_NoMemory();
    }
    PyObject *starts_list = PyList_New(n), *sample_list = PyList_New(nsamples);
    if (starts_list == NULL || sample_list == NULL) {
        PyMem_RawFree(found);
        Py_XDECREF(starts_list);
        Py_XDECREF(sample_list);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n + nsamples; i++) {
        PyObject *v = PyLong_FromSsize_t(i < n ? found[i] : samples[i - n]);
        if (v == NULL) {
            PyMem_RawFree(found);
            Py_DECREF(starts_list);
            Py_DECREF(sample_list);
            return NULL;
        }
        if (i < n)
            PyList_SET_ITEM(starts_list, i, v);
        else
            PyList_SET_ITEM(sample_list, i - n, v);
    }
    PyMem_RawFree(found);
    return Py_BuildValue("nNnnnNnn", lines, starts_list, counts[BLANK], counts[CONTINUATION],
                         counts[UNRECOGNIZED], sample_list, first_plain, last_plain);
}

/* -- the times of a chunk, for --since/--until (linefilter.line_stamps) --------------------
 * The stamps of the filter's shape that start lines, or None when a line that does not start
 * with one holds a clock (the stamp's last eight positions: `HH:MM:SS`) or an escape: then a
 * time may hide there. Repeats on consecutive lines are listed once. */
static int
hides_time(const Filter *f, cp p, cp q)
{
    if (stamp_ok(f, p, q))
        return 0;
    if (contains_any(&f->hazards, p, q))
        return 1;
    Py_ssize_t clock = f->stamp_w - 3 - 8; /* where `HH:MM:SS` sits in the stamp */
    for (cp c = p; (c = memchr(c, ':', (size_t)(q - c))) != NULL; c++) {
        if (c - p < 2 || q - c < 6)
            continue;
        unsigned bad = 0;
        for (int k = 0; k < 8; k++)
            bad |= f->stamp_bad[clock + k][c[k - 2]];
        if (!bad)
            return 1;
    }
    return 0;
}

static PyObject *
filter_line_stamps(Filter *f, PyObject *args)
{
    Py_buffer buf;
    Py_ssize_t end;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &end))
        return NULL;
    PyObject *out = NULL;
    if (end < 0 || end > buf.len) {
        PyErr_SetString(PyExc_ValueError, "end out of range");
        goto done;
    }
    if (f->wrapper != NULL || f->stamp_w < 11) {
        PyErr_SetString(PyExc_ValueError, "line_stamps: a filter of bare stamps with a clock");
        goto done;
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    Py_ssize_t width = f->stamp_w - 3; /* the stamp, without ` - ` */
    cp base = (cp)buf.buf, p = base, stop = base + end, last = NULL;
    while (p < stop) {
        cp q = memchr(p, '\n', (size_t)(stop - p));
        if (q == NULL)
            q = stop;
        if (q > p && hides_time(f, p, q)) { /* an empty line hides nothing */
            Py_DECREF(out);
            out = Py_NewRef(Py_None);
            goto done;
        }
        if (stamp_ok(f, p, q) && (last == NULL || memcmp(last, p, (size_t)width) != 0)) {
            PyObject *stamp = PyBytes_FromStringAndSize((const char *)p, width);
            if (stamp == NULL || PyList_Append(out, stamp) < 0) {
                Py_XDECREF(stamp);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(stamp);
            last = p;
        }
        p = q + 1;
    }
done:
    PyBuffer_Release(&buf);
    return out;
}

/* A burst of LISTEN lines (scan.py's _Burst): from `start`, each line that is a stamp of the
 * filter's shape (behind its wrapper), `head` (what follows the stamp's " - " up to the nonce:
 * `DEBUG - module - [func]: #N - Send: {"type":"LISTEN","nonce":"`), a nonce of at most 64
 * letters and digits, `"` and a tail up to its newline. */
static PyObject *
filter_listens(Filter *f, PyObject *args)
{
    Py_buffer buf, head;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "y*nny*", &buf, &start, &end, &head))
        return NULL;
    PyObject *tails = NULL;
    if (end < 0 || end > buf.len || start < 0 || start > end) {
        PyErr_SetString(PyExc_ValueError, "start or end out of range");
        goto done;
    }
    tails = PyList_New(0);
    if (tails == NULL)
        goto done;
    cp base = (cp)buf.buf, p = base + start, stop = base + end, h = (cp)head.buf;
    Py_ssize_t hn = head.len;
    unsigned char month[2] = {0, 0};
    while (p < stop) {
        cp q = memchr(p, '\n', (size_t)(stop - p));
        if (q == NULL)
            break;
        cp s = stamped(f, p, q);
        if (s == NULL || q - s < f->stamp_w + hn || memcmp(s + f->stamp_w, h, (size_t)hn) != 0)
            break;
        if (f->month_at >= 0) {
            /* Year-less: the lines after the first leave the YearResolver as it is only if
             * they have its month and a date it takes (see scan()). */
            int res = resolves(f, s);
            cp mo = s + f->month_at;
            if (p == base + start) {
                month[0] = mo[0];
                month[1] = mo[1];
                if (!res)
                    stop = q + 1; /* the first line alone */
            }
            else if (!res || mo[0] != month[0] || mo[1] != month[1])
                break;
        }
        cp n = s + f->stamp_w + hn, nonce = n;
        while (n < q && IS_ALNUM(*n) && n - nonce <= 64)
            n++;
        if (n - nonce > 64 || n == q || *n != '"')
            break;
        n++;
        PyObject *tail = PyBytes_FromStringAndSize((const char *)n, q - n);
        if (tail == NULL || PyList_Append(tails, tail) < 0) {
            Py_XDECREF(tail);
            Py_CLEAR(tails);
            goto done;
        }
        Py_DECREF(tail);
        p = q + 1;
    }
    {
        PyObject *result = Py_BuildValue("nN", (Py_ssize_t)(p - base), tails);
        tails = result;
    }
done:
    PyBuffer_Release(&buf);
    PyBuffer_Release(&head);
    return tails;
}

/* -- a map of a file that shrinks while it is read ------------------------------------------
 * A file read through a map that is cut short (logrotate copytruncate of an idle miner's log)
 * kills the process with SIGBUS at the first access past its new end, wherever the access is:
 * in scan() or in Python's own bytes and regex code. While a window is guarded, a SIGBUS inside
 * it maps a page of zeros where the file's page was and notes it; the access then reads zeros,
 * and the reader (sources.mapped_blocks) ends with a warning. A SIGBUS anywhere else goes to
 * the handler that was there before (the default: the process ends, as it would have). */
#ifdef HAVE_MAP_GUARD
static volatile sig_atomic_t guard_faulted = 0, guard_installed = 0;
static volatile uintptr_t guard_lo = 0, guard_hi = 0;
static uintptr_t guard_page = 0;
static struct sigaction guard_previous;

static void
on_sigbus(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    uintptr_t at = (uintptr_t)info->si_addr;
    if (guard_hi != 0 && at >= guard_lo && at < guard_hi) {
        void *page = (void *)(at & ~(guard_page - 1));
        if (mmap(page, (size_t)guard_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
            MAP_FAILED) {
            guard_faulted = 1;
            return; /* the access is made again, and reads zeros */
        }
    }
    sigaction(SIGBUS, &guard_previous, NULL);
    guard_installed = 0;
    /* returning makes the access again, which the previous handler now gets */
}
#endif

static PyObject *
map_guard(PyObject *self, PyObject *args)
{
    PyObject *window;
    (void)self;
    if (!PyArg_ParseTuple(args, "O", &window))
        return NULL;
#ifdef HAVE_MAP_GUARD
    Py_buffer view;
    if (PyObject_GetBuffer(window, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    uintptr_t lo = (uintptr_t)view.buf, hi = lo + (uintptr_t)view.len;
    PyBuffer_Release(&view);
    if (!guard_installed) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_sigaction = on_sigbus;
        action.sa_flags = SA_SIGINFO;
        sigemptyset(&action.sa_mask);
        guard_page = (uintptr_t)sysconf(_SC_PAGESIZE);
        if (sigaction(SIGBUS, &action, &guard_previous) != 0)
            return PyErr_SetFromErrno(PyExc_OSError);
        guard_installed = 1;
    }
    guard_faulted = 0;
    guard_lo = lo;
    guard_hi = hi;
    Py_RETURN_TRUE;
#else
    (void)window;
    Py_RETURN_FALSE;
#endif
}

static PyObject *
map_unguard(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
#ifdef HAVE_MAP_GUARD
    guard_hi = 0;
    guard_lo = 0;
    if (guard_faulted) {
        guard_faulted = 0;
        Py_RETURN_TRUE;
    }
#endif
    Py_RETURN_FALSE;
}

/* run_shape alone, for tests: where a shape program's match at data[pos:] ends, or None. */
static PyObject *
match_shape(PyObject *self, PyObject *args)
{
    Py_buffer prog, data;
    Py_ssize_t pos;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*y*n", &prog, &data, &pos))
        return NULL;
    PyObject *out = NULL;
    if (!valid_shape((cp)prog.buf, (cp)prog.buf + prog.len))
        PyErr_SetString(PyExc_ValueError, "not a shape program");
    else if (pos < 0 || pos > data.len)
        PyErr_SetString(PyExc_ValueError, "pos out of range");
    else {
        Op *ops = ops_of((cp)prog.buf);
        if (ops == NULL)
            PyErr_NoMemory();
        else {
            cp q = memchr((cp)data.buf + pos, '\n', (size_t)(data.len - pos));
            cp r = run_shape(ops, (cp)data.buf + pos, q ? q : (cp)data.buf + data.len);
            out = r == NULL ? Py_NewRef(Py_None) : PyLong_FromSsize_t(r - (cp)data.buf);
            ops_free(ops);
        }
    }
    PyBuffer_Release(&prog);
    PyBuffer_Release(&data);
    return out;
}

static PyMethodDef filter_methods[] = {
    {"scan", (PyCFunction)filter_scan, METH_VARARGS,
     "scan(chunk, start, end, known, all_lines=False, every_alive=True) -> (lines, starts, blank,\n"
     "    continuation, unrecognized, samples, first_plain, last_plain)\n\n"
     "Count the newlines of chunk[start:end] and list the start of every line that may matter\n"
     "(start must be a line start): not a plain record of the filter's layout (with all_lines,\n"
     "none is), or holding a `#N` that is not an alive payload of an id whose bit is set in the\n"
     "bitmap `known`. Lines that cannot be records are counted by kind instead; samples are the\n"
     "starts of the first three unrecognized ones. first_plain and last_plain: the first and\n"
     "last line skipped as plain (-1 if none). Without every_alive, only the first of the\n"
     "filter's alive programs says what is an alive payload."},
    {"line_stamps", (PyCFunction)filter_line_stamps, METH_VARARGS,
     "line_stamps(chunk, end) -> list of stamps, or None\n\n"
     "The stamps of the filter's shape that start lines of chunk[:end], or None when a line\n"
     "that starts with none holds a clock (`HH:MM:SS`) or an escape (a time may hide there)."},
    {"listens", (PyCFunction)filter_listens, METH_VARARGS,
     "listens(chunk, start, end, head) -> (stop, tails)\n\n"
     "The lines of a LISTEN burst from start (a line start): each a stamp, head, a nonce, `\"`\n"
     "and a tail. stop is the end of the last one; tails are their tails, in order. With a\n"
     "year-less stamp, the lines after the first share its month and a valid date."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject FilterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wsdiag._lines.Filter",
    .tp_basicsize = sizeof(Filter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Filter(wrapper, stamp, module, func, debug, levels, funcs, starts, texts, debug_starts,\n"
              "       debug_texts, id_seps, hazards, alive, day_at=-1, month_at=-1, marks=None)\n\n"
              "A line filter built from byte patterns (see wsdiag/linefilter.py).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)filter_init,
    .tp_dealloc = (destructor)filter_dealloc,
    .tp_methods = filter_methods,
};

static PyMethodDef methods[] = {
    {"map_guard", map_guard, METH_VARARGS,
     "map_guard(window) -> bool\n\n"
     "Guard a read-only map (a buffer): a SIGBUS inside it (the file was cut short) maps zeros\n"
     "there instead of killing the process. False where this cannot be done."},
    {"map_unguard", map_unguard, METH_NOARGS,
     "map_unguard() -> bool\n\nEnd the guard; True if the map was cut short meanwhile."},
    {"match_shape", match_shape, METH_VARARGS,
     "match_shape(program, data, pos) -> end | None\n\n"
     "Where a match of the shape program at data[pos:] (up to its line's end) ends."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "wsdiag._lines", "The fast path's line filter (see linefilter.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    if (PyType_Ready(&FilterType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddIntConstant(m, "MAX_LINE", MAX_LINE) < 0 ||
        PyModule_AddIntConstant(m, "MAX_SAMPLES", MAX_SAMPLES) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&FilterType);
    if (PyModule_AddObject(m, "Filter", (PyObject *)&FilterType) < 0) {
        Py_DECREF(&FilterType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
