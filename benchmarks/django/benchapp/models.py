"""The same models as the Go side (benchmarks/workload/db.go)."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "benchapp"


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")

    class Meta:
        app_label = "benchapp"


class Comment(models.Model):
    body = models.CharField(max_length=200)
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="comments")

    class Meta:
        app_label = "benchapp"


class Entry(models.Model):
    title = models.CharField(max_length=200)
    pages = models.IntegerField()

    class Meta:
        app_label = "benchapp"
