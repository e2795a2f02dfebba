/*
 * procsrv, the root task: the one process the kernel starts. For now it
 * proves user space runs (picolibc's stdio over the kernel's debug output,
 * thread-local storage, the heap) and exits; the user-space issue grows it
 * into the process server: ELF loading, the boot manifest, names, faults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("procsrv: running in user space as '%s' with %d argument(s)\n", argv[0], argc - 1);
    for (int i = 1; i < argc; i++)
        printf("procsrv: argv[%d] = '%s'\n", i, argv[i]);

    errno = 0;
    strtol("99999999999999999999", NULL, 10);
    char *heap = malloc(4096);
    if (heap)
        strcpy(heap, "heap");
    char line[80];
    snprintf(line, sizeof line, "errno %s, %s, pi %.3f", errno == ERANGE ? "ERANGE" : "WRONG",
             heap ? heap : "no heap", 3.14159);
    printf("procsrv: %s\n", line);
    free(heap);
    return 0;
}
