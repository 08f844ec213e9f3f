#ifndef TRIPLINE_CNCURSES_SHIM_H
#define TRIPLINE_CNCURSES_SHIM_H
// The wide-character API (cchar_t, wget_wch, mvwaddnwstr) is hidden unless this is set.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <wchar.h>
#include <curses.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

// Swift's strict concurrency rejects the C globals and does not import the attribute macros;
// these accessors expose them as functions.
static inline WINDOW *tl_stdscr(void) { return stdscr; }
static inline int tl_lines(void) { return LINES; }
static inline int tl_cols(void) { return COLS; }
static inline int tl_colors(void) { return COLORS; }
static inline int tl_color_pairs(void) { return COLOR_PAIRS; }
static inline void tl_set_escdelay(int ms) { set_escdelay(ms); }
static inline attr_t tl_a_bold(void) { return A_BOLD; }
static inline attr_t tl_a_reverse(void) { return A_REVERSE; }
static inline attr_t tl_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tl_a_dim(void) { return A_DIM; }
static inline attr_t tl_a_normal(void) { return A_NORMAL; }
static inline attr_t tl_color_pair(int n) { return COLOR_PAIR(n); }
static inline int tl_key_resize(void) { return KEY_RESIZE; }
static inline int tl_key_btab(void) { return KEY_BTAB; }
static inline int tl_key_enter(void) { return KEY_ENTER; }
#include <langinfo.h>
#include <stdio.h>
/// ncurses on the process's own terminal (stdin/stdout), or NULL when TERM is unknown.
static inline SCREEN *tl_newterm(void) { return newterm(NULL, stdout, stdin); }
/// A screen on other streams (the dashboard reading events from stdin takes keys from /dev/tty).
static inline SCREEN *tl_newterm_tty_input(FILE *in) { return newterm(NULL, stdout, in); }
/// The locale's character set name (after setlocale).
static inline const char *tl_codeset(void) { return nl_langinfo(CODESET); }

/// Draws `n` wide characters at (y, x) with attributes, in one call.
static inline int tl_draw(int y, int x, const wchar_t *s, int n, attr_t attrs) {
    attr_t old; short pair;
    wattr_get(stdscr, &old, &pair, NULL);
    wattrset(stdscr, attrs);
    int r = mvwaddnwstr(stdscr, y, x, s, n);
    wattrset(stdscr, old);
    return r;
}
#endif
