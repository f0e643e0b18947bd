/*
 * mono.h — the monotonic clock, for deadlines and durations (never for
 * stored times: store_now_ms() is the wall clock).  Any thread.
 */
#ifndef LOKET_MONO_H
#define LOKET_MONO_H

long long	mono_us(void);
long long	mono_ms(void);

#endif
