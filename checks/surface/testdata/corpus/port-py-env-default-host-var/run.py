import os
HOST = "0.0.0.0"
PORT = int(os.getenv("PORT", "6379"))
app.run(host=HOST, port=PORT)
