package main

// Example runs the program: its output is the same on every run.
func Example() {
	main()
	// Output:
	// image:                       [bin etc usr]
	// after Clone:                 image.Shared()=true container.Shared()=true
	// after the container wrote:   image.Shared()=false container.Shared()=false
	// image:                       [bin etc usr] (unchanged)
	// container:                   [bin etc usr var/log/app.log]
	// container after Set:         [sbin etc usr var/log/app.log]
	// image:                       [bin etc usr] (still unchanged)
	// map snapshot vs live:        prod vs staging
	// string handed out:           "hello", handle now "> hello"
}
