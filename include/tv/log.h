/* SPDX-License-Identifier: MIT */
/*
 * log.h: the kernel log. Every line goes to a ring buffer (for the console's
 * log view) and to each registered console whose level admits it.
 */
#ifndef TV_LOG_H
#define TV_LOG_H

#include <stdarg.h>
#include <tv/compiler.h>
#include <tv/types.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DBG = 3 };

void log_printf(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void log_vprintf(enum log_level lvl, const char *fmt, va_list ap);
/* Set the most verbose level shown on consoles (the ring keeps everything). */
void log_set_level(enum log_level lvl);

#define pr_err(...) log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define pr_dbg(...) log_printf(LOG_DBG, __VA_ARGS__)

/*
 * Error returns that say where they came from in debug builds: return
 * trace_err(-EINVAL) logs "file:line: -22" at debug level and passes it on.
 */
#define trace_err(e) ({ int __e = (e); pr_dbg("%s:%d: error %d\n", __FILE__, __LINE__, __e); __e; })

struct console {
	const char *name;
	void (*write)(struct console *c, const char *s, size_t n);
	struct console *next;
};

void console_register(struct console *c);
/* Panic path: drop locks held by a dead CPU so the last words get out. */
void log_force_unlock(void);
/* Text for the operator (the console UI) to every console, not into the log ring. */
void console_out(const char *s, size_t n);
/* Copy out the newest bytes of the ring buffer; returns how many. */
size_t log_ring_read(char *buf, size_t size);

#endif
