/* util.c - the client's helper (the server has one of the same name). */
int helper(int x)
{
	return x + 1;
}
