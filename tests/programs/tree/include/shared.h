/* shared.h - the library every program of the tree links. */
#ifndef SHARED_H
#define SHARED_H
int proto_encode(char *buf, int len, int value);
int store_get(int key);
void store_put(int key, int value);
void *store_flusher(void *arg);
#endif
