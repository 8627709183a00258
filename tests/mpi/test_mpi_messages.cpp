// The control plane of the MPI communicator (send / recv / try_recv) between real ranks: who
// sent what with which tag, in order, any payload, from several threads of one rank (rank 0
// runs the coordinator thread beside its worker), and the communicator's identity.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kdbench/comm/communicator.h"
#include "kdbench/core/errors.h"
#include "mpi_world.h"

using namespace kdbench;
using mpi_test::world;

namespace {

// Each test uses its own tags, so a message a failed test left behind cannot satisfy another.
constexpr int kRingTag = 11, kSelfTag = 12, kOrderTag = 13, kFirstTag = 14, kSecondTag = 15,
              kGatherTag = 16, kThreadTag = 17, kPollTag = 18, kUnusedTag = 19, kPayloadTag = 20;

int next(int r) { return (r + 1) % world().size(); }
int previous(int r) { return (r + world().size() - 1) % world().size(); }

// try_recv until a message arrives: sent messages are matchable only once they reached the rank.
std::optional<comm::Message> poll(int tag, double seconds = 10) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (auto m = world().try_recv(tag)) return m;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::nullopt;
}

}  // namespace

TEST(MpiIdentity, RanksSizeBackendAndNode) {
  auto& comm = world();
  EXPECT_EQ(comm.backend(), "mpi");
  EXPECT_GE(comm.rank(), 0);
  EXPECT_LT(comm.rank(), comm.size());
  if (const char* launched = std::getenv("OMPI_COMM_WORLD_SIZE")) {
    EXPECT_EQ(comm.size(), std::stoi(launched));
  }
  EXPECT_NE(comm.library_version().find("MPI"), std::string::npos) << comm.library_version();
  EXPECT_EQ(comm.library_version().find('\n'), std::string::npos);
  // Every rank once; local_size is the number of ranks on this rank's host.
  const auto ranks = comm.all_gather(std::to_string(comm.rank()));
  const auto hosts = comm.all_gather(comm::hostname());
  ASSERT_EQ(ranks.size(), static_cast<size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) EXPECT_EQ(ranks[static_cast<size_t>(r)], std::to_string(r));
  int here = 0;
  for (const auto& h : hosts) here += h == comm::hostname();
  EXPECT_EQ(comm.local_size(), here);
  // local_rank: this rank's place among the ranks on its host, in rank order.
  int before = 0;
  for (int r = 0; r < comm.rank(); ++r) before += hosts[static_cast<size_t>(r)] == comm::hostname();
  EXPECT_EQ(comm.local_rank(), before);
  const auto local = comm.all_gather(std::to_string(comm.local_rank()));
  if (here == comm.size()) {  // all on one node: 0..n-1
    for (int r = 0; r < comm.size(); ++r) {
      EXPECT_EQ(local[static_cast<size_t>(r)], std::to_string(r));
    }
  }
}

TEST(MpiMessages, RingSendRecvNamesTheSource) {
  auto& comm = world();
  if (comm.size() < 2) GTEST_SKIP() << "a ring needs 2 ranks";
  comm.send(next(comm.rank()), kRingTag, "from " + std::to_string(comm.rank()));
  const comm::Message m = comm.recv(kRingTag);
  EXPECT_EQ(m.source, previous(comm.rank()));
  EXPECT_EQ(m.tag, kRingTag);
  EXPECT_EQ(m.payload, "from " + std::to_string(previous(comm.rank())));
  comm.barrier();
}

TEST(MpiMessages, SendToSelf) {
  auto& comm = world();
  comm.send(comm.rank(), kSelfTag, "to myself");
  const comm::Message m = comm.recv(kSelfTag);
  EXPECT_EQ(m.source, comm.rank());
  EXPECT_EQ(m.payload, "to myself");
  comm.barrier();
}

TEST(MpiMessages, PayloadsOfAnySizeAndByteArriveIntact) {
  auto& comm = world();
  if (comm.size() < 2) GTEST_SKIP() << "a ring needs 2 ranks";
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));  // '\0' included
  const auto large = [](int sender) {  // 3 MiB, beyond any eager limit: send waits for recv
    std::string text(3 << 20, '\0');
    for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>((i * 7 + sender) % 251);
    return text;
  };
  const std::vector<std::string> sent = {"", binary, large(comm.rank())};
  const std::vector<std::string> expected = {"", binary, large(previous(comm.rank()))};
  const auto send_all = [&] {
    for (const auto& p : sent) comm.send(next(comm.rank()), kPayloadTag, p);
  };
  const auto receive_all = [&] {
    for (size_t i = 0; i < expected.size(); ++i) {
      const comm::Message m = comm.recv(kPayloadTag);
      EXPECT_EQ(m.source, previous(comm.rank()));
      EXPECT_EQ(m.payload.size(), expected[i].size()) << "payload " << i;
      EXPECT_TRUE(m.payload == expected[i]) << "payload " << i << " differs";
    }
  };
  // Rank 0 sends first and every other rank receives first, so the blocking sends around the
  // ring cannot all wait for each other.
  if (comm.rank() == 0) {
    send_all();
    receive_all();
  } else {
    receive_all();
    send_all();
  }
  comm.barrier();
}

TEST(MpiMessages, MessagesFromOneSenderKeepTheirOrder) {
  auto& comm = world();
  constexpr int kCount = 50;
  for (int i = 0; i < kCount; ++i) comm.send(next(comm.rank()), kOrderTag, std::to_string(i));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(comm.recv(kOrderTag).payload, std::to_string(i));
  comm.barrier();
}

TEST(MpiMessages, RecvTakesOnlyItsTag) {
  auto& comm = world();
  // Sent first on kFirstTag, then on kSecondTag; received the other way round.
  comm.send(next(comm.rank()), kFirstTag, "first");
  comm.send(next(comm.rank()), kSecondTag, "second");
  EXPECT_EQ(comm.recv(kSecondTag).payload, "second");
  EXPECT_EQ(comm.recv(kFirstTag).payload, "first");
  EXPECT_FALSE(comm.try_recv(kUnusedTag).has_value());
  comm.barrier();
}

TEST(MpiMessages, TryRecvReturnsNothingUntilAMessageArrives) {
  auto& comm = world();
  // Nobody sends on kPollTag before the barrier. (After it, a neighbour may already have.)
  EXPECT_FALSE(comm.try_recv(kPollTag).has_value());
  comm.barrier();
  comm.send(next(comm.rank()), kPollTag, "polled");
  const auto m = poll(kPollTag);
  EXPECT_TRUE(m.has_value()) << "no message within 10 s";
  if (m) {
    EXPECT_EQ(m->source, previous(comm.rank()));
    EXPECT_EQ(m->payload, "polled");
  }
  EXPECT_FALSE(comm.try_recv(kPollTag).has_value());  // taken once
  comm.barrier();
}

TEST(MpiMessages, EveryRankReachesRankZero) {
  // The workers' side of the protocol: everyone, rank 0 included, sends to rank 0.
  auto& comm = world();
  comm.send(0, kGatherTag, std::to_string(comm.rank() * comm.rank()));
  if (comm.rank() == 0) {
    std::map<int, std::string> got;
    for (int i = 0; i < comm.size(); ++i) {
      const auto m = comm.recv(kGatherTag);
      EXPECT_EQ(got.count(m.source), 0u) << "two messages from rank " << m.source;
      got[m.source] = m.payload;
    }
    EXPECT_EQ(got.size(), static_cast<size_t>(comm.size()));
    for (const auto& [r, payload] : got) EXPECT_EQ(payload, std::to_string(r * r));
  }
  comm.barrier();
}

TEST(MpiMessages, ThreadsOfOneRankSendAndReceiveAtOnce) {
  // MPI_THREAD_MULTIPLE as run_grid uses it: on every rank two threads send to rank 0 while, on
  // rank 0, a receiving thread collects them and the main thread sends too.
  auto& comm = world();
  constexpr int kPerThread = 40;
  std::map<int, std::vector<int>> by_sender;  // "rank*10+thread" -> sequence numbers received
  std::thread receiver;
  if (comm.rank() == 0) {
    receiver = std::thread([&] {
      for (int i = 0; i < comm.size() * 2 * kPerThread; ++i) {
        const auto m = comm.recv(kThreadTag);
        const auto colon = m.payload.find(':');
        by_sender[m.source * 10 + std::stoi(m.payload.substr(0, colon))].push_back(
            std::stoi(m.payload.substr(colon + 1)));
      }
    });
  }
  auto sender = [&](int thread) {
    for (int i = 0; i < kPerThread; ++i)
      comm.send(0, kThreadTag, std::to_string(thread) + ":" + std::to_string(i));
  };
  std::thread second(sender, 1);
  sender(0);
  second.join();
  if (receiver.joinable()) receiver.join();
  if (comm.rank() == 0) {
    EXPECT_EQ(by_sender.size(), static_cast<size_t>(comm.size() * 2));
    std::vector<int> in_order(kPerThread);
    for (int i = 0; i < kPerThread; ++i) in_order[static_cast<size_t>(i)] = i;
    for (const auto& [who, seq] : by_sender) EXPECT_EQ(seq, in_order) << "sender " << who;
  }
  comm.barrier();
}

TEST(MpiMessages, SendToANonexistentRankIsACommError) {
  auto& comm = world();
  try {
    comm.send(comm.size(), kUnusedTag, "nobody");
    FAIL() << "no error";
  } catch (const CommError& e) {
    EXPECT_NE(std::string(e.what()).find("MPI_Send failed"), std::string::npos) << e.what();
  }
  comm.barrier();
}
