"""The bare Flask app every figure is divided by: one route, no extensions."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
