/* nftables through libnftables: one buffer of commands is one kernel
 * transaction, all of it or nothing. */
#pragma once

enum {
        NFT_RUN_QUIET = 1 << 0, /* a failure the caller expects: logged at debug level only */
};

/* Runs commands.  With ret_output, what a list command prints is returned
 * there (malloc'ed, NUL-terminated; free() it).  Returns 0, or -EIO when
 * nftables refused (its message logged), -ENOMEM. */
int nft_run(const char *commands, unsigned flags, char **ret_output);
