/* Commands through libnftables (see nft.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nft.h"

int nft_run(const char *commands, unsigned flags, char **ret_output) {
        struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
        int r;

        if (!nft)
                return -ENOMEM;
        nft_ctx_buffer_error(nft);
        nft_ctx_buffer_output(nft);
        r = nft_run_cmd_from_buffer(nft, commands) != 0 ? -EIO : 0;
        if (r < 0) {
                const char *err = nft_ctx_get_error_buffer(nft);
                log_msg(flags & NFT_RUN_QUIET ? LOG_DEBUG : LOG_ERR, "nftables: %s", err && *err ? err : "failed");
        } else if (ret_output) {
                const char *out = nft_ctx_get_output_buffer(nft);
                *ret_output = strdup(out ? out : "");
                if (!*ret_output)
                        r = -ENOMEM;
        }
        nft_ctx_free(nft);
        return r;
}
