package program

// standalonePrelude ends an exported program: how it connects, and how it
// displays a cell's final expression. show mirrors kernel.Format; a test
// runs both and compares their output.
const standalonePrelude = `
// connect returns a client for $REDIS_URL, or for the tutorial's embedded
// miniredis, where keys expire on the real clock as on a server. It
// refuses a database that already holds keys, so that running the program
// never mixes its keys with somebody's data. Either way go-redis never
// sends a command again by itself (MaxRetries -1): an INCR sent twice
// counts twice.
func connect() *redis.Client {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		mr, err := embedded.New()
		if err != nil {
			log.Fatal(err)
		}
		return redis.NewClient(&redis.Options{
			Dialer:          func(context.Context, string, string) (net.Conn, error) { return mr.Dial() },
			DisableIdentity: true,
			MaxRetries:      -1,
		})
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		// Neither the URL nor the error: both may hold the password.
		log.Fatal("bad REDIS_URL: write it as redis://[user:password@]host:port/db")
	}
	opt.MaxRetries = -1
	client := redis.NewClient(opt)
	n, err := client.DBSize(ctx).Result()
	if err != nil {
		log.Fatalf("cannot reach Redis at %s: %v", opt.Addr, err)
	}
	if n > 0 {
		log.Fatalf("database %d at %s holds %d keys: point REDIS_URL at an empty database", opt.DB, opt.Addr, n)
	}
	return client
}

// show prints the values of a cell's final expression, as a notebook does.
func show(values ...any) {
	for i, v := range values {
		if i > 0 {
			fmt.Print(" ")
		}
		switch v := v.(type) {
		case nil:
			fmt.Print("<nil>")
		case redis.Cmder:
			fmt.Print(v.String())
		case error:
			fmt.Print("error: " + v.Error())
		case string:
			fmt.Printf("%q", v)
		case []byte:
			fmt.Printf("[]byte(%q)", v)
		case fmt.Stringer:
			fmt.Print(v.String())
		default:
			fmt.Printf("%v", v)
		}
	}
	fmt.Println()
}
`

// standaloneImage is an exported program's kernel.Image, for a chapter whose
// cells show pictures: it writes the picture to a file and prints where,
// and then what it shows, as the walk does.
const standaloneImage = `
// kernel.Image, in the tutorial's runner, shows a picture in the page; here
// it writes it to a file of the temporary folder.
var kernel pictures

type pictures struct{}

func (pictures) Image(mediaType string, data []byte, alt string) {
	ext := map[string]string{"image/svg+xml": ".svg", "image/png": ".png"}[mediaType]
	f, err := os.CreateTemp("", "notebook-image-*"+ext)
	if err == nil {
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Printf("%s, not saved: %v\n  %s\n", mediaType, err, alt)
		return
	}
	fmt.Printf("%s: %s\n  %s\n", mediaType, f.Name(), alt)
}
`
