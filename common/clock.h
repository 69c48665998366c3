/* The one clock vmnet measures waits and timeouts with. */
#pragma once

/* CLOCK_MONOTONIC in milliseconds: never jumps with the wall clock. */
long long now_ms(void);
