fn main() {
    std::process::exit(ekstrust::cli::run());
}
