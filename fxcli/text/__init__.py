"""Text encoders shared by the expression resolver, text2flame and CTEG."""
