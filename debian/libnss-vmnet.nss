hosts before=resolve,dns vmnet
