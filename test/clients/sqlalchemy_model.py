# SQLAlchemy (Debian's python3-sqlalchemy, 1.4, with psycopg2): a model whose primary key the
# database fills with snowflake_nextval() through server_default, as in docs/orms-and-drivers.md.
# Run by test/clients/run.sh; connects with the PG* variables.
import sqlalchemy
from sqlalchemy import BigInteger, Column, Text, create_engine, select, text
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"
    id = Column(BigInteger, primary_key=True, server_default=text("snowflake_nextval()"))
    item = Column(Text, nullable=False)


engine = create_engine("postgresql+psycopg2://")  # host, port, user, database from PG*
with engine.begin() as conn:
    conn.execute(text("DROP TABLE IF EXISTS orders"))
Base.metadata.create_all(engine)
with Session(engine) as session:
    coffee, bagel = Order(item="coffee"), Order(item="bagel")
    session.add_all([coffee, bagel])
    session.commit()
    # The ids came back from the INSERT's RETURNING: Python ints, rising, made by worker 1.
    worker = session.execute(select(text("(snowflake_decode(:id)).worker_id")),
                             {"id": coffee.id}).scalar_one()
    default = session.execute(text(
        "SELECT column_default FROM information_schema.columns "
        "WHERE table_name = 'orders' AND column_name = 'id'")).scalar_one()
    print(f"SQLAlchemy {sqlalchemy.__version__}: ids {coffee.id} and {bagel.id} "
          f"({type(coffee.id).__name__}), worker {worker}, column default {default}")
    assert isinstance(coffee.id, int) and bagel.id > coffee.id > 2**53
    assert worker == 1 and default == "snowflake_nextval()"
    assert session.get(Order, bagel.id).item == "bagel"
with engine.begin() as conn:
    conn.execute(text("DROP TABLE orders"))
print("1 passed, 0 failed")
