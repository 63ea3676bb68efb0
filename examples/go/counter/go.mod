module granary/examples/counter

go 1.24

require granary/sdk v0.0.0

replace granary/sdk => ../../../sdk-guest/go
