/* placeholder until vmnetd's main lands (the lead is writing it) */
int main(void) { return 1; }
