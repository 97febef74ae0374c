/* util.c - the server's helper (the client has one of the same name). */
int helper(int x)
{
	return x * 2;
}
