module granary/sdk

go 1.24
