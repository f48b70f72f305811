//! Nothing here: the crate exists for its benchmark, `benches/pipeline.rs`.
