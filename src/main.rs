// mimalloc: the loaders allocate many small strings and vectors from two threads; it is faster
// than the system allocator here and returns memory as well (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(ekstrust::cli::run());
}
