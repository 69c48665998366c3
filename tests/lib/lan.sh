# shellcheck shell=bash
# A "LAN" next to the lab host for the uplink tests: a network namespace
# "lan" (in the world's private /run/netns, gone with the world) joined to
# the test's namespace by a veth, TEST-NET-1 addresses only.  Source after
# world.sh:
#
#   . "$ROOT/tests/lib/lan.sh"
#   lan_up                     # host side lan0 192.0.2.1/24, peer eth0 192.0.2.2/24
#   lan_up_bridged br-lan      # host side a port of br-lan, no address
#   lan_serve                  # HTTP server on 192.0.2.2:8000 in the peer
#   lan_clients                # source addresses of the requests it saw
#   lan_far_up                 # another network of the host's, routed to from the LAN
#   lan ping -c1 10.77.0.100   # a command in the peer namespace
LAN_HOST=192.0.2.1
LAN_PEER=192.0.2.2
LAN_PORT=8000
FAR_HOST=198.51.100.1
FAR_PEER=198.51.100.2

lan() { ip netns exec lan "$@"; }

# lan_up: the peer namespace and the veth; the host side (lan0) has
# $LAN_HOST/24.  lan_up_bridged BRIDGE: lan0 is a port of BRIDGE instead.
lan_up() {
        lan_link
        ip addr add "$LAN_HOST/24" dev lan0
        ip link set lan0 up
}
lan_up_bridged() {
        lan_link
        ip link set lan0 master "$1"
        ip link set lan0 up
}
lan_link() {
        ip netns add lan
        ip link add lan0 type veth peer name eth0 netns lan
        ip -n lan link set lo up
        ip -n lan addr add "$LAN_PEER/24" dev eth0
        ip -n lan link set eth0 up
}

# lan_serve: a web server on the peer's own address; one log line per
# request in $W/lan-http.log, "ADDRESS - - [date] ..." (python's format).
lan_serve() {
        command -v python3 >/dev/null || skip "python3 is missing"
        mkdir -p "$W/lan-www"
        echo "page of the lan peer" > "$W/lan-www/index.html"
        world_spawn ip netns exec lan python3 -m http.server --bind "$LAN_PEER" \
                --directory "$W/lan-www" "$LAN_PORT" > "$W/lan-http.out" 2>> "$W/lan-http.log"
        wait_until 10 lan curl -s --max-time 1 -o /dev/null "http://$LAN_PEER:$LAN_PORT/" ||
                fail "the lan peer's server does not answer: $(cat "$W/lan-http.log")"
        : > "$W/lan-http.log"   # forget the probe (appended to, so truncating is safe)
}

# lan_clients: the source address of each request the peer's server saw.
lan_clients() { awk '/ "GET / { print $1 }' "$W/lan-http.log"; }

# lan_far_up: a namespace "far" on another network of the host's (far0
# $FAR_HOST/24, peer $FAR_PEER/24 routing back through the host), and the
# LAN peer's route to it via the host: what a LAN machine would use to have
# the lab host route it on.  Call after lan_up.
lan_far_up() {
        ip netns add far
        ip link add far0 type veth peer name eth0 netns far
        ip addr add "$FAR_HOST/24" dev far0
        ip link set far0 up
        ip -n far addr add "$FAR_PEER/24" dev eth0
        ip -n far link set eth0 up
        ip -n far route add default via "$FAR_HOST"
        lan ip route add "${FAR_PEER%.*}.0/24" via "$LAN_HOST"
}
