/* The fast path's line filter in C: which lines of a chunk may matter.
 *
 * scan.py finds these lines with two regex passes (an "odd line" pass and a `#N - ` pass); each
 * costs the regex engine a few hundred nanoseconds per line, and a DEBUG log is nearly all
 * lines that matter to nobody. This module makes the same decision in one pass at memchr
 * speed. It is optional: without it (no compiler at install time) scan.py uses the regexes.
 *
 * Contract: it returns exactly the lines the regex passes find; tests/test_lines.py holds the
 * two equal, line by line. Returning a line needlessly would cost time, never a wrong count
 * (scan.py reads it like the reference path does); skipping one could be wrong.
 * The byte patterns mirrored here are _PLAIN, _ALIVE and _ws_pattern in scan.py.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#define HAVE_MAP_GUARD 1
#endif

typedef const unsigned char *cp;

#define IS_DIGIT(c) ((unsigned char)((c) - '0') < 10)
#define IS_ALPHA_(c) ((((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z') || (c) == '_')
#define IS_ALNUM(c) (IS_DIGIT(c) || (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z'))
#define IS_MODULE(c) (IS_ALNUM(c) || (c) == '_' || (c) == '.')
/* [!-\\^-~]: printable ASCII but space and `]` */
#define IS_FUNC(c) ((c) >= 0x21 && (c) <= 0x7E && (c) != 0x5D)

static int
starts(cp p, cp q, const char *lit, Py_ssize_t n)
{
    return q - p >= n && memcmp(p, lit, (size_t)n) == 0;
}

#define STARTS(p, q, lit) starts((p), (q), (lit), (Py_ssize_t)(sizeof(lit) - 1))

/* `dd/mm/yy HH:MM:SS`: digits anywhere (a line with an impossible date is still a record).
 * Every line of a chunk is checked: no branch per byte. */
static inline int
stamp17_ok(cp p)
{
#define NOT_DIGIT(i) ((unsigned)(unsigned char)(p[i] - '0') > 9)
    unsigned bad = NOT_DIGIT(0) | NOT_DIGIT(1) | NOT_DIGIT(3) | NOT_DIGIT(4) | NOT_DIGIT(6) |
                   NOT_DIGIT(7) | NOT_DIGIT(9) | NOT_DIGIT(10) | NOT_DIGIT(12) | NOT_DIGIT(13) |
                   NOT_DIGIT(15) | NOT_DIGIT(16);
#undef NOT_DIGIT
    bad |= (p[2] ^ '/') | (p[5] ^ '/') | (p[8] ^ ' ') | (p[11] ^ ':') | (p[14] ^ ':');
    return !bad;
}

/* `dd/mm/yy HH:MM:SS - ` */
static cp
stamp(cp p, cp q)
{
    if (q - p < 20 || !stamp17_ok(p) || (p[17] ^ ' ') | (p[18] ^ '-') | (p[19] ^ ' '))
        return NULL;
    return p + 20;
}

/* `[func]: ` with func 1..100 chars; NULL if absent. `quiet` also refuses the functions
 * websocket-client echoes from ([error], [warning], [info]). */
static cp
func(cp p, cp q, int quiet)
{
    if (p >= q || *p != '[')
        return NULL;
    p++;
    if (quiet && (STARTS(p, q, "error]") || STARTS(p, q, "warning]") || STARTS(p, q, "info]")))
        return NULL;
    cp f = p;
    while (p < q && p - f <= 100 && IS_FUNC(*p))
        p++;
    if (p == f || p - f > 100 || !STARTS(p, q, "]: "))
        return NULL;
    return p + 3;
}

/* _ESCAPES: ESC, or the 8-bit CSI or OSC (U+009B, U+009D in UTF-8) that line() strips. */
static int
has_escape(cp m, cp q)
{
    if (memchr(m, 0x1b, (size_t)(q - m)))
        return 1;
    for (cp c = m; (c = memchr(c, 0xc2, (size_t)(q - c))) != NULL; c++)
        if (c + 1 < q && (c[1] == 0x9b || c[1] == 0x9d))
            return 1;
    return 0;
}

/* A message no template reads: _QUIET_MSG. */
static int
quiet_message(cp m, cp q)
{
    if (m < q && (*m == '#' || *m == '['))
        return 0;
    if (STARTS(m, q, "Reconnect") || STARTS(m, q, "The last ") ||
        STARTS(m, q, "Error while trying") || STARTS(m, q, "Received the ERR"))
        return 0;
    if (has_escape(m, q))
        return 0;
    static const char loading[] = "Loading data for ";
    for (cp c = m; (c = memchr(c, 'L', (size_t)(q - c))) != NULL; c++)
        if (STARTS(c, q, loading))
            return 0;
    return 1;
}

/* _PLAIN: a DEBUG record (only its `#N - ` can matter) or a quiet record of another level. */
static int
plain(cp p, cp q, int console)
{
    p = stamp(p, q);
    if (p == NULL)
        return 0;
    if (STARTS(p, q, "DEBUG - ")) {
        p += 8;
        if (console)
            return func(p, q, 0) != NULL;
        return p < q && IS_ALPHA_(*p);
    }
    if (STARTS(p, q, "INFO - ") || STARTS(p, q, "WARN - "))
        p += 7;
    else if (STARTS(p, q, "ERROR - "))
        p += 8;
    else if (STARTS(p, q, "WARNING - "))
        p += 10;
    else if (STARTS(p, q, "CRITICAL - "))
        p += 11;
    else
        return 0;
    if (!console) {
        if (p >= q || !IS_ALPHA_(*p))
            return 0;
        cp module = p++;
        while (p < q && p - module <= 201 && IS_MODULE(*p))
            p++;
        if (p - module > 201 || !STARTS(p, q, " - "))
            return 0;
        p += 3;
    }
    p = func(p, q, 1);
    return p != NULL && quiet_message(p, q);
}

/* `dd/mm HH:MM:SS - `, the year-less ("less") console layout. */
static inline int
less_stamp_ok(cp p, cp q)
{
    if (q - p < 17)
        return 0;
#define NOT_DIGIT(i) ((unsigned)(unsigned char)(p[i] - '0') > 9)
    unsigned bad = NOT_DIGIT(0) | NOT_DIGIT(1) | NOT_DIGIT(3) | NOT_DIGIT(4) | NOT_DIGIT(6) |
                   NOT_DIGIT(7) | NOT_DIGIT(9) | NOT_DIGIT(10) | NOT_DIGIT(12) | NOT_DIGIT(13);
#undef NOT_DIGIT
    bad |= (p[2] ^ '/') | (p[5] ^ ' ') | (p[8] ^ ':') | (p[11] ^ ':') | (p[14] ^ ' ') |
           (p[15] ^ '-') | (p[16] ^ ' ');
    return !bad;
}

/* A year-less date the YearResolver takes (layouts._make_time): a month 01-12, a day 01-31. */
static inline int
less_resolves(cp p)
{
    int day = (p[0] - '0') * 10 + (p[1] - '0'), mon = (p[3] - '0') * 10 + (p[4] - '0');
    return mon >= 1 && mon <= 12 && day >= 1 && day <= 31;
}

static int
contains(cp p, cp q, const char *lit, Py_ssize_t n)
{
    for (; (p = memchr(p, (unsigned char)lit[0], (size_t)(q - p))) != NULL; p++)
        if (starts(p, q, lit, n))
            return 1;
    return 0;
}

#define CONTAINS(p, q, lit) contains((p), (q), (lit), (Py_ssize_t)(sizeof(lit) - 1))

/* _PLAIN["less"]: after a year-less stamp (no level, no function name), a message that no
 * template reads; a `#` in it is left to hashes_harmless. */
static int
plain_less(cp p, cp q)
{
    cp m = p + 17;
    if (m < q && *m == '[')
        return 0;
    if (STARTS(m, q, "DEBUG - ") || STARTS(m, q, "INFO - ") || STARTS(m, q, "WARN - ") ||
        STARTS(m, q, "WARNING - ") || STARTS(m, q, "ERROR - ") || STARTS(m, q, "CRITICAL - "))
        return 0;
    if (STARTS(m, q, "Reconnect") || STARTS(m, q, "The last ") ||
        STARTS(m, q, "Error while trying") || STARTS(m, q, "Received the ERR") ||
        STARTS(m, q, "error from callback") || STARTS(m, q, "tearing down"))
        return 0;
    /* ` - goodbye` and ` - reconnect`, found by their `-`: rarer than a space */
    for (cp c = m; (c = memchr(c, '-', (size_t)(q - c))) != NULL; c++)
        if (c > m && c[-1] == ' ' && (STARTS(c + 1, q, " goodbye") || STARTS(c + 1, q, " reconnect")))
            return 0;
    if (CONTAINS(m, q, "Loading data for ") || has_escape(m, q))
        return 0;
    return 1;
}

/* Moves *p past `lit` if the line continues with it. */
static int
eat(cp *p, cp q, const char *lit, Py_ssize_t n)
{
    if (!starts(*p, q, lit, n))
        return 0;
    *p += n;
    return 1;
}

#define EAT(p, q, lit) eat(&(p), (q), (lit), (Py_ssize_t)(sizeof(lit) - 1))
#define EAT_SPACE(p, q) ((void)((p) < (q) && *(p) == ' ' && (p)++))

/* After `#N - ` of a known id: a payload that says nothing but "alive" (_ALIVE). Returns where
 * to look for the next `#` (the payload's end), or NULL if it says more. */
static cp
alive(cp p, cp q)
{
    if (EAT(p, q, "Send: {\"type\":\"PING\"}"))
        return p == q ? q : NULL;
    /* _FRAME: `Received: \{ ?"type": ?"` */
    if (!EAT(p, q, "Received: {"))
        return NULL;
    EAT_SPACE(p, q);
    if (!EAT(p, q, "\"type\":"))
        return NULL;
    EAT_SPACE(p, q);
    if (!EAT(p, q, "\""))
        return NULL;
    if (EAT(p, q, "MESSAGE\""))
        return p; /* whatever follows may hold another `#` */
    if (EAT(p, q, "PONG\"")) {
        EAT_SPACE(p, q);
        return EAT(p, q, "}") && p == q ? q : NULL;
    }
    if (EAT(p, q, "RESPONSE\",\"error\":\"\",\"nonce\":\"")) {
        cp nonce = p;
        while (p < q && IS_ALNUM(*p))
            p++;
        return p - nonce <= 64 && EAT(p, q, "\"}") && p == q ? q : NULL;
    }
    return NULL;
}

/* _ws_pattern after its `#`, but for the alive look-ahead: `\d{1,12} - ` (which covers
 * _LISTEN) or `[\d -]{0,15}[\x1b\xc2]`. */
static int
hash_matters(cp p, cp q)
{
    cp d = p;
    while (d < q && IS_DIGIT(*d))
        d++;
    if (d - p >= 1 && d - p <= 12 && STARTS(d, q, " - "))
        return 1;
    cp r = p;
    while (r < q && (IS_DIGIT(*r) || *r == ' ' || *r == '-'))
        r++;
    return r - p <= 15 && r < q && (*r == 0x1b || *r == 0xc2);
}

/* A known id's `#N - ` followed by an alive payload: returns the payload's end, else NULL. */
static cp
known_alive(cp p, cp q, cp known, Py_ssize_t nknown)
{
    cp d = p;
    Py_ssize_t id = 0;
    while (p < q && IS_DIGIT(*p) && p - d < 7)
        id = id * 10 + (*p++ - '0');
    if (p == d || (p < q && IS_DIGIT(*p)) || (p - d > 1 && *d == '0'))
        return NULL; /* no id, longer than any id tracked, or not an id's own spelling */
    if (id >= nknown * 8 || !(known[id >> 3] & (1 << (id & 7))) || !STARTS(p, q, " - "))
        return NULL;
    return alive(p + 3, q);
}

/* No `#` of the line is a match of _ws_pattern for these known ids. */
static int
hashes_harmless(cp p, cp q, cp known, Py_ssize_t nknown)
{
    while ((p = memchr(p, '#', (size_t)(q - p))) != NULL) {
        p++;
        cp after = known_alive(p, q, known, nknown);
        if (after != NULL)
            p = after;
        else if (hash_matters(p, q))
            return 0;
    }
    return 1;
}

/* -- lines that cannot be records: counted here, never handed to Python (_INERT in scan.py) --
 * A newline bomb (a file of empty lines) or junk between records cost line() microseconds a
 * line; these lines are classified here as line() would: blank, a continuation (traceback) or
 * unrecognized. A line is inert when layouts.split_line cannot make a record of it: no escape
 * that strip_ansi could remove to join text, and no ` - ` after what every record form needs
 * (a time with a date before it, `\d[ T]HH:MM:SS[.ffffff]`, a level word, or `#` and 1-12
 * digits). A line longer than MAX_LINE is line()'s to count (as too long). */
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

static int
ends_with(cp line, cp e, const char *lit, Py_ssize_t n)
{
    return e - line >= n && memcmp(e - n, lit, (size_t)n) == 0;
}

#define ENDS_WITH(line, e, lit) ends_with((line), (e), (lit), (Py_ssize_t)(sizeof(lit) - 1))

/* _RECORDISH: some ` - ` of the line follows a time with a date, a level or `#\d{1,12}`. */
static int
recordish(cp p, cp q)
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
        if (time_before(p, e) || ENDS_WITH(p, e, "DEBUG") || ENDS_WITH(p, e, "INFO") ||
            ENDS_WITH(p, e, "WARNING") || ENDS_WITH(p, e, "WARN") || ENDS_WITH(p, e, "ERROR") ||
            ENDS_WITH(p, e, "CRITICAL"))
            return 1;
    }
    return 0;
}

/* str.isspace() of an ASCII byte (CR cannot occur: chunks are newline-normalised). */
#define IS_SPACE(c) ((c) == ' ' || (c) == '\t' || (c) == 0x0b || (c) == 0x0c || (c) == '\r' || ((c) >= 0x1c && (c) <= 0x1f))
#define IS_WORD(c) (IS_ALNUM(c) || (c) == '_')

/* layouts.is_continuation: `[ \t]`, a traceback's framing, or `Name...Error\b` at the start. */
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
    for (Py_ssize_t k = 1; k <= 201 && p + k < q; k++) {
        cp w = p + k;
        if (*w == 'E' || *w == 'I' || *w == 'W') {
            for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                Py_ssize_t n = (Py_ssize_t)strlen(words[i]);
                if (starts(w, q, words[i], n) && (w + n == q || !IS_WORD(w[n])))
                    return 1;
            }
        }
        if (!IS_MODULE(*w))
            break;
    }
    return 0;
}

/* What line() would count a line as, if it cannot be a record; MATTERS if it may be one (or if
 * only Python can tell: a line of whitespace and non-ASCII bytes may be Unicode spaces). */
static int
inert_kind(cp p, cp q)
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
    if (has_escape(p, q) || recordish(p, q))
        return MATTERS;
    return continuation(p, q) ? CONTINUATION : UNRECOGNIZED;
}

static PyObject *
scan(PyObject *self, PyObject *args)
{
    Py_buffer buf, ids;
    Py_ssize_t start, end;
    int layout; /* 0 file, 1 console, 2 less, 3 none: no line is plain */
    int as_kind = 0; /* lines behind a cut prefix: every inert line is of this kind */
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nniy*|i", &buf, &start, &end, &layout, &ids, &as_kind))
        return NULL;
    if (as_kind != 0 && as_kind != CONTINUATION && as_kind != UNRECOGNIZED) {
        PyBuffer_Release(&buf);
        PyBuffer_Release(&ids);
        PyErr_SetString(PyExc_ValueError, "as_kind must be 0, 2 or 3");
        return NULL;
    }
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
    while (!nomem && p < stop) {
        if (*p == '\n') {
            /* A run of empty lines (a newline bomb): blank, or behind a cut prefix its kind;
             * not dated, so a year-less line after it is looked at. */
            cp r = p;
            while (r < stop && *r == '\n')
                r++;
            int kind = as_kind ? as_kind : BLANK;
            counts[kind] += r - p;
            for (cp e = p; kind == UNRECOGNIZED && e < r && nsamples < MAX_SAMPLES; e++)
                samples[nsamples++] = e - base;
            lines += r - p;
            month_known = 0;
            p = r;
            continue;
        }
        cp q = memchr(p, '\n', (size_t)(stop - p));
        if (q == NULL)
            q = stop; /* an unfinished last line: looked at like any other */
        lines += q < stop;
        int skip;
        if (layout == 2) {
            /* A year-less date gets its year from the YearResolver, line by line: its state
             * changes only where the month does (or at the first date), so such lines are
             * looked at, and so is the first dated line after any line this cannot date. */
            int dated = less_stamp_ok(p, q), resolves = dated && less_resolves(p);
            int same = !resolves || (month_known && p[3] == month[0] && p[4] == month[1]);
            skip = dated && same && plain_less(p, q) && hashes_harmless(p, q, known, nknown);
            if (resolves) {
                month[0] = p[3];
                month[1] = p[4];
                month_known = 1;
            }
            else if (!dated)
                month_known = 0;
        }
        else if (layout == 3)
            skip = 0; /* every line that may be a record is read */
        else
            skip = plain(p, q, layout) && hashes_harmless(p, q, known, nknown);
        if (skip) {
            if (first_plain < 0)
                first_plain = p - base;
            last_plain = p - base;
        }
        else {
            int kind = inert_kind(p, q);
            if (kind != MATTERS && as_kind)
                kind = as_kind;
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
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    PyBuffer_Release(&ids);
    if (nomem) {
        PyMem_RawFree(found);
        return PyErr_NoMemory();
    }
    PyObject *starts_list = PyList_New(n);
    if (starts_list == NULL) {
        PyMem_RawFree(found);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromSsize_t(found[i]);
        if (v == NULL) {
            PyMem_RawFree(found);
            Py_DECREF(starts_list);
            return NULL;
        }
        PyList_SET_ITEM(starts_list, i, v);
    }
    PyMem_RawFree(found);
    PyObject *sample_list = PyList_New(nsamples);
    if (sample_list == NULL) {
        Py_DECREF(starts_list);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nsamples; i++) {
        PyObject *v = PyLong_FromSsize_t(samples[i]);
        if (v == NULL) {
            Py_DECREF(starts_list);
            Py_DECREF(sample_list);
            return NULL;
        }
        PyList_SET_ITEM(sample_list, i, v);
    }
    return Py_BuildValue("nNnnnNnn", lines, starts_list, counts[BLANK], counts[CONTINUATION],
                         counts[UNRECOGNIZED], sample_list, first_plain, last_plain);
}

/* A burst of LISTEN lines (scan.py's _Burst and _burst_patterns): from `start`, each line
 * that is a stamp, `head` (` - DEBUG - module - [func]: #N - Send: {"type":"LISTEN","nonce":"`),
 * a nonce of at most 64 letters and digits, `"` and a tail up to its newline. */
static PyObject *
listens(PyObject *self, PyObject *args)
{
    Py_buffer buf, head;
    Py_ssize_t start, end;
    int less = 0;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*nny*|p", &buf, &start, &end, &head, &less))
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
    Py_ssize_t hn = head.len, sn = less ? 14 : 17; /* the stamp's length */
    unsigned char month[2] = {0, 0};
    while (p < stop) {
        cp q = memchr(p, '\n', (size_t)(stop - p));
        if (q == NULL || q - p < sn + hn || memcmp(p + sn, h, (size_t)hn) != 0)
            break;
        if (less) {
            /* Year-less: the lines after the first leave the YearResolver as it is only if
             * they have its month and a date it takes (see scan()). */
            if (!less_stamp_ok(p, q))
                break;
            int resolves = less_resolves(p);
            if (p == base + start) {
                month[0] = p[3];
                month[1] = p[4];
                if (!resolves)
                    stop = q + 1; /* the first line alone */
            }
            else if (!resolves || p[3] != month[0] || p[4] != month[1])
                break;
        }
        else if (!stamp17_ok(p))
            break;
        cp n = p + sn + hn, nonce = n;
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

/* scan.line_stamps: the standard stamps (`dd/mm/yy HH:MM:SS`, 17 bytes) that start lines, or
 * None when a line that does not start with one holds `\d\d:\d\d:\d\d` or an escape (_HIDDEN):
 * then a time may hide there. Repeats on consecutive lines are listed once. */
static int
hides_time(cp p, cp q)
{
    if (stamp(p, q) != NULL)
        return 0;
    if (has_escape(p, q))
        return 1;
    for (cp c = p; (c = memchr(c, ':', (size_t)(q - c))) != NULL; c++)
        if (c - p >= 2 && q - c >= 6 && IS_DIGIT(c[-2]) && IS_DIGIT(c[-1]) && IS_DIGIT(c[1]) &&
            IS_DIGIT(c[2]) && c[3] == ':' && IS_DIGIT(c[4]) && IS_DIGIT(c[5]))
            return 1;
    return 0;
}

static PyObject *
line_stamps(PyObject *self, PyObject *args)
{
    Py_buffer buf;
    Py_ssize_t end;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &end))
        return NULL;
    PyObject *out = NULL;
    if (end < 0 || end > buf.len) {
        PyErr_SetString(PyExc_ValueError, "end out of range");
        goto done;
    }
    out = PyList_New(0);
    if (out == NULL)
        goto done;
    cp base = (cp)buf.buf, p = base, stop = base + end, last = NULL;
    while (p < stop) {
        cp q = memchr(p, '\n', (size_t)(stop - p));
        if (q == NULL)
            q = stop;
        if (q > p && hides_time(p, q)) { /* an empty line hides nothing */
            Py_DECREF(out);
            out = Py_NewRef(Py_None);
            goto done;
        }
        if (stamp(p, q) != NULL && (last == NULL || memcmp(last, p, 17) != 0)) {
            PyObject *s = PyBytes_FromStringAndSize((const char *)p, 17);
            if (s == NULL || PyList_Append(out, s) < 0) {
                Py_XDECREF(s);
                Py_CLEAR(out);
                goto done;
            }
            Py_DECREF(s);
            last = p;
        }
        p = q + 1;
    }
done:
    PyBuffer_Release(&buf);
    return out;
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

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(chunk, start, end, layout, known, as_kind=0) -> (lines, starts, blank, continuation,\n"
     "    unrecognized, samples, first_plain, last_plain)\n\n"
     "Count the newlines of chunk[start:end] and list the start of every line that may matter\n"
     "(start must be a line start):\n"
     "not a plain record of the layout (0 file, 1 console, 2 less, 3 none), or holding a `#`\n"
     "that is "
     "not an alive payload of an id whose bit is set in the bitmap `known`. Lines that cannot\n"
     "be records are counted by kind instead; samples are the starts of the first three\n"
     "unrecognized ones. first_plain and last_plain: the first and last line skipped as plain\n"
     "(-1 if none). as_kind (2 continuation, 3 unrecognized) is the kind of every such line\n"
     "when the chunk's lines were cut from a prefix that decides it."},
    {"line_stamps", line_stamps, METH_VARARGS,
     "line_stamps(chunk, end) -> list of 17-byte stamps, or None\n\n"
     "The `dd/mm/yy HH:MM:SS` stamps that start lines of chunk[:end], or None when a line\n"
     "that starts with none holds `HH:MM:SS` or an escape (a time may hide there)."},
    {"map_guard", map_guard, METH_VARARGS,
     "map_guard(window) -> bool\n\n"
     "Guard a read-only map (a buffer): a SIGBUS inside it (the file was cut short) maps zeros\n"
     "there instead of killing the process. False where this cannot be done."},
    {"map_unguard", map_unguard, METH_NOARGS,
     "map_unguard() -> bool\n\nEnd the guard; True if the map was cut short meanwhile."},
    {"listens", listens, METH_VARARGS,
     "listens(chunk, start, end, head, less=False) -> (stop, tails)\n\n"
     "The lines of a LISTEN burst from start (a line start): each a stamp, head, a nonce, `\"`\n"
     "and a tail. stop is the end of the last one; tails are their tails, in order. With less,\n"
     "the stamp is year-less and the lines after the first share its month and a valid date."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "wsdiag._lines", "The fast path's line filter (see scan.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && (PyModule_AddIntConstant(m, "MAX_LINE", MAX_LINE) < 0 ||
                      PyModule_AddIntConstant(m, "MAX_SAMPLES", MAX_SAMPLES) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
