import uvicorn
uvicorn.run(app, port=8000)
