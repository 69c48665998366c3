/* The kernel's word when a neighbour changes (rtnetlink's RTNLGRP_NEIGH):
 * the bridge learning or forgetting a MAC behind a port (AF_BRIDGE), the
 * host's ARP table gaining or losing an address.  The lab view follows
 * what VMs are where from these, without polling. */
#pragma once

/* A non-blocking, CLOEXEC netlink socket subscribed to neighbour events; -errno. */
int neigh_events_open(void);
/* Reads every event waiting; returns how many there were (0: none), or
 * 1 after an overrun (events were lost: something changed). */
int neigh_events_drain(int fd);
