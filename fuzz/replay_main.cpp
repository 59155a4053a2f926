// A main() for builds without libFuzzer: runs the target once per file named
// on the command line (directories are walked recursively). It makes every
// fuzz target an ordinary program that ctest runs over the checked-in corpus
// in every configuration, so the targets keep compiling and the regression
// inputs keep passing even where libFuzzer is not available (GCC, s390x).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool replay_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.string().c_str());
    return false;
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  // An exact-size copy, as libFuzzer hands inputs over.
  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.string().c_str(), input.size());
  (void)LLVMFuzzerTestOneInput(input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t replayed = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) ok = replay_file(f) && ok, ++replayed;
    } else {
      ok = replay_file(arg) && ok;
      ++replayed;
    }
  }
  // The empty input, always.
  (void)LLVMFuzzerTestOneInput(nullptr, 0);
  std::printf("replayed %zu inputs without a finding\n", replayed);
  if (replayed == 0) {
    std::fprintf(stderr, "replay: no inputs given\n");
    return 1;
  }
  return ok ? 0 : 1;
}
