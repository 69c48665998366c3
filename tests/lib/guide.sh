# shellcheck shell=bash
# Reading a guide in docs/ the way a test runs it.  A guide marks each
# code block a test runs with an HTML comment on the line before the
# fence (invisible when the Markdown is rendered):
#
#   <!-- test: qemu-helper -->
#   ```
#   $ vmnet tap add
#   tap-alice+1
#   ```
#
#   guide_block DOC TAG      the block's lines
#   guide_commands DOC TAG   its commands: lines after "$ " (or "# " for
#                            root), a trailing backslash joining the next
#                            line, one command a line
#   guide_output DOC TAG     its other lines: what the guide says they print
# A missing tag fails the test: the guide and its test must not drift apart.

# guide_block DOC TAG
guide_block() {
        local doc=$1 tag=$2 out
        out=$(awk -v mark="<!-- test: $tag -->" '
                # a block inside a list item is indented: strip the indent of the mark
                !armed { line = $0; sub(/^[ \t]+/, "", line)
                         if (line == mark) { armed = 1; indent = length($0) - length(line) }
                         next }
                { sub("^" sprintf("%" indent "s", ""), "") }
                /^```/ { if (inside) exit; inside = 1; next }
                !inside && NF { exit }    # the fence must follow the mark
                inside { print }' "$doc")
        [ -n "$out" ] || fail "$doc has no code block marked '<!-- test: $tag -->'"
        printf '%s\n' "$out"
}

# guide_commands DOC TAG
guide_commands() {
        guide_block "$1" "$2" | awk '
                cont { sub(/^[ \t]+/, ""); cmd = cmd " " $0 }
                !cont && /^[$#] / { cmd = substr($0, 3) }
                !cont && !/^[$#] / { next }
                { cont = sub(/[ \t]*\\$/, "", cmd) }
                !cont { print cmd }'
}

# guide_output DOC TAG
guide_output() {
        guide_block "$1" "$2" | awk '
                cont { cont = /\\$/; next }
                /^[$#] / { cont = /\\$/; next }
                { print }'
}
