module __NAME__

go 1.24

require granary/sdk v0.0.0

replace granary/sdk => ./granary-sdk
