#include "child_descriptors.h"

#include <errno.h>
#include <unistd.h>

#include <mutex>
#include <unordered_map>

namespace ioreactor {
namespace {

enum class Holder { kJavaScript, kReactor, kNativeReaper };

struct ChildDescriptor {
  pid_t pid;  // the child an exit watcher watches; 0 for a pipe, or once the child is reaped
  const void* env;
  Holder holder;
};

// Never destroyed: a worker's teardown may still use it while the process exits.
struct Table {
  std::mutex lock;
  std::unordered_map<int, ChildDescriptor> open;
};

Table& TheTable() {
  static Table* table = new Table();
  return *table;
}

// Forgets `fd` and closes it, under the table's lock: its number cannot be recorded again for
// another child until it is free.
int ForgetAndClose(Table& table, int fd) {
  table.open.erase(fd);
  return ::close(fd) < 0 ? -errno : 0;
}

void Record(int fd, pid_t pid, const void* env) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  table.open[fd] = ChildDescriptor{pid, env, Holder::kJavaScript};
}

}  // namespace

void RecordExitWatcher(int watcher, pid_t pid, const void* env) { Record(watcher, pid, env); }

void RecordChildPipe(int fd, const void* env) { Record(fd, 0, env); }

void RecordChildReaped(int watcher, pid_t pid) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(watcher);
  if (it != table.open.end() && pid > 0 && it->second.pid == pid) it->second.pid = 0;
}

void SetHeldByReactor(int fd, bool registered) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(fd);
  if (it == table.open.end() || it->second.holder == Holder::kNativeReaper) return;
  it->second.holder = registered ? Holder::kReactor : Holder::kJavaScript;
}

int CloseChildDescriptor(int fd) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(fd);
  // Only a child's descriptors: a stray number must not close some other descriptor.
  if (it == table.open.end()) return -EBADF;
  // The native reaper's already (its reactor was collected): it closes it once it has reaped.
  if (it->second.holder == Holder::kNativeReaper) return 0;
  return ForgetAndClose(table, fd);
}

OwnedDescriptor ReleaseFromReactor(int fd, pid_t* pid) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  auto it = table.open.find(fd);
  if (it == table.open.end()) return OwnedDescriptor::kNotAChilds;
  if (it->second.holder != Holder::kReactor) return OwnedDescriptor::kNotTheCores;
  if (it->second.pid == 0) {
    ForgetAndClose(table, fd);
    return OwnedDescriptor::kClosed;
  }
  it->second.holder = Holder::kNativeReaper;
  *pid = it->second.pid;
  return OwnedDescriptor::kHandOver;
}

std::vector<std::pair<pid_t, int>> ReleaseFromEnvironment(const void* env) {
  std::vector<std::pair<pid_t, int>> watchers;
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  for (auto it = table.open.begin(); it != table.open.end();) {
    ChildDescriptor& child = it->second;
    if (child.env != env || child.holder != Holder::kJavaScript) {
      ++it;
    } else if (child.pid == 0) {
      ::close(it->first);
      it = table.open.erase(it);
    } else {
      child.holder = Holder::kNativeReaper;
      watchers.emplace_back(child.pid, it->first);
      ++it;
    }
  }
  return watchers;
}

void CloseAdoptedWatcher(int watcher) {
  Table& table = TheTable();
  std::lock_guard<std::mutex> guard(table.lock);
  ForgetAndClose(table, watcher);
}

}  // namespace ioreactor
