// SPDX-License-Identifier: GPL-2.0
/* The exec storm's target: built static, so an exec of it costs the exec and nothing else. */
int main(void)
{
	return 0;
}
