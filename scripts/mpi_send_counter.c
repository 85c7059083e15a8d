/* Counts, through the MPI profiling interface (PMPI), the bytes and messages
 * each rank sends and receives, and prints one line per rank to stderr at
 * MPI_Finalize:
 *   rank R sent B bytes in M messages, received B' bytes in M' messages
 * Linked into the partitioned executables of test/Integration/MPI and
 * scripts/run-pipeline-example.sh, so that the traffic is measured at run
 * time, independently of the compiler. */
#include <mpi.h>
#include <stdio.h>

static long long sentBytes, sentMessages, receivedBytes, receivedMessages;

int MPI_Send(const void *buf, int count, MPI_Datatype type, int dest, int tag,
             MPI_Comm comm) {
  int size = 0;
  PMPI_Type_size(type, &size);
  sentBytes += (long long)count * size;
  ++sentMessages;
  return PMPI_Send(buf, count, type, dest, tag, comm);
}

int MPI_Recv(void *buf, int count, MPI_Datatype type, int source, int tag,
             MPI_Comm comm, MPI_Status *status) {
  MPI_Status local;
  int rc = PMPI_Recv(buf, count, type, source, tag, comm, &local);
  int received = 0, size = 0;
  PMPI_Get_count(&local, type, &received);
  PMPI_Type_size(type, &size);
  receivedBytes += (long long)received * size;
  ++receivedMessages;
  if (status != MPI_STATUS_IGNORE)
    *status = local;
  return rc;
}

int MPI_Finalize(void) {
  int rank = -1;
  PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
  fprintf(stderr,
          "rank %d sent %lld bytes in %lld messages, received %lld bytes in "
          "%lld messages\n",
          rank, sentBytes, sentMessages, receivedBytes, receivedMessages);
  return PMPI_Finalize();
}
