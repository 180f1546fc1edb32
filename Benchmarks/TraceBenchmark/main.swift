print("trace benchmark")
