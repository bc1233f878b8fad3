module github.com/cowkit/cowkit/benchmarks

go 1.24

require github.com/cowkit/cowkit v0.0.0

require github.com/tidwall/btree v1.8.2

replace github.com/cowkit/cowkit => ../
